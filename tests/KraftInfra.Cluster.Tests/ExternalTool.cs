using System.Diagnostics;
using Xunit.Sdk;

namespace KraftInfra.Cluster.Tests;

/// <summary>Runs the real tools that check what the library generates (shellcheck, cloud-init, systemd-analyze, bash).</summary>
public static class ExternalTool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    /// <summary>Fails the test, naming the tool and how to get it, when the tool is not on PATH.</summary>
    public static string Require(string tool, string package)
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(':')
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
        return path ?? throw new XunitException(
            $"required tool '{tool}' is not installed: this test runs it for real and cannot pass without it (apt-get install {package}; .ci/run installs it)");
    }

    public static Result Run(string tool, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, int timeoutSeconds = 120)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
            start.WorkingDirectory = workingDirectory;
        foreach (var a in args)
            start.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment)
                start.Environment[k] = v;
        using var process = Process.Start(start) ?? throw new XunitException($"could not start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException($"{tool} {string.Join(' ', args)} did not finish within {timeoutSeconds}s");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A temporary directory removed when disposed.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("kraft-test-").FullName;

        public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

        public string Write(string relative, string content, bool executable = false)
        {
            var full = Combine(relative.TrimStart('/'));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            if (executable)
                File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                           | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            return full;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
