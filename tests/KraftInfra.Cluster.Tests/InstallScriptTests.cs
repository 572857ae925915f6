using System.Security.Cryptography;
using System.Text;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// install-kafka.sh run for real against stand-in curl, apt-get and dpkg-query on PATH: curl
/// serves files from a local folder laid out like Apache's sites and logs every URL it is asked for.
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private const string Version = "4.3.1";
    private const string Release = "kafka_2.13-" + Version;
    private const string Main = "https://downloads.example.org/kafka";
    private const string Archive = "https://archive.example.org/dist/kafka";

    private readonly ExternalTool.TempDir _dir = new();
    private readonly byte[] _tarball;

    public InstallScriptTests()
    {
        ExternalTool.Require("tar", "tar");
        _dir.Write("fake/curl", $$"""
            #!/bin/bash
            # stand-in curl: --output FILE URL; serves {{_dir.Combine("sites")}}/<host>/<path>, else fails like curl --fail on a 404
            out=""; url=""
            while [ $# -gt 0 ]; do
              case "$1" in
                --output) out=$2; shift 2 ;;
                --retry|--retry-delay|--connect-timeout) shift 2 ;;
                -*) shift ;;
                *) url=$1; shift ;;
              esac
            done
            echo "$url" >> "{{_dir.Combine("curl.log")}}"
            file="{{_dir.Combine("sites")}}/${url#https://}"
            [ -f "$file" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
            cp "$file" "$out"
            """, executable: true);
        _dir.Write("fake/apt-get", $"#!/bin/bash\necho \"$*\" >> \"{_dir.Combine("apt.log")}\"\n", executable: true);
        _dir.Write("fake/dpkg-query", "#!/bin/bash\nexit 1\n", executable: true);
        _tarball = BuildTarball();
        WriteEnv(sha512: "");
        Directory.CreateDirectory(_dir.Combine("opt"));
    }

    private void WriteEnv(string sha512) => _dir.Write("node.env", $"""
        KAFKA_VERSION='{Version}'
        SCALA_VERSION='2.13'
        KAFKA_DOWNLOAD_URL='{Main}'
        KAFKA_ARCHIVE_URL='{Archive}'
        KAFKA_SHA512='{sha512}'
        JAVA_PACKAGE='openjdk-21-jre-headless'

        """);

    private byte[] BuildTarball()
    {
        var stage = _dir.Combine("stage");
        _dir.Write($"stage/{Release}/bin/kafka-server-start.sh", "#!/bin/sh\necho kafka\n", executable: true);
        _dir.Write($"stage/{Release}/config/server.properties", "# from the tarball\n");
        var tgz = _dir.Combine("release.tgz");
        var result = ExternalTool.Run("tar", ["-czf", tgz, "-C", stage, Release]);
        Assert.True(result.ExitCode == 0, result.Output);
        return File.ReadAllBytes(tgz);
    }

    /// <summary>Apache's .sha512 layout (gpg --print-md SHA512): upper-case groups of 8 over several lines.</summary>
    private static string GpgPrintMd(byte[] data, string name)
    {
        var hex = Convert.ToHexString(SHA512.HashData(data));
        var groups = Enumerable.Range(0, 16).Select(i => hex.Substring(i * 8, 8)).ToList();
        var sb = new StringBuilder($"{name}: ");
        for (var i = 0; i < groups.Count; i++)
        {
            if (i > 0) sb.Append(i % 6 == 0 ? "\n" + new string(' ', name.Length + 2) : " ");
            sb.Append(groups[i]);
        }
        return sb.Append('\n').ToString();
    }

    private void Publish(string baseUrl, byte[]? sha512File = null, bool withSha = true)
    {
        var dir = $"sites/{baseUrl["https://".Length..]}/{Version}";
        Directory.CreateDirectory(_dir.Combine(dir));
        File.WriteAllBytes(_dir.Combine(dir, Release + ".tgz"), _tarball);
        if (withSha)
            File.WriteAllBytes(_dir.Combine(dir, Release + ".tgz.sha512"), sha512File ?? Encoding.ASCII.GetBytes(GpgPrintMd(_tarball, Release + ".tgz")));
    }

    private ExternalTool.Result Install() => ExternalTool.Run(
        _dir.Combine("install.sh"), [],
        environment: new Dictionary<string, string>
        {
            ["PATH"] = _dir.Combine("fake") + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["KRAFT_NODE_ENV"] = _dir.Combine("node.env"),
            ["KRAFT_INSTALL_ROOT"] = _dir.Combine("opt"),
        });

    private string[] CurlCalls() => File.Exists(_dir.Combine("curl.log")) ? File.ReadAllLines(_dir.Combine("curl.log")) : [];

    private void WriteScript() => _dir.Write("install.sh", TemplateLibrary.Read(TemplateLibrary.InstallScript), executable: true);

    [Fact]
    public void It_installs_java_then_downloads_verifies_and_links_the_release_from_the_main_site()
    {
        WriteScript();
        Publish(Main);

        var result = Install();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal([$"{Main}/{Version}/{Release}.tgz", $"{Main}/{Version}/{Release}.tgz.sha512"], CurlCalls());
        Assert.Contains($"matches Apache's {Release}.tgz.sha512", result.Output);
        Assert.Equal(_dir.Combine("opt", Release), new FileInfo(_dir.Combine("opt", "kafka")).LinkTarget);
        Assert.True(File.Exists(_dir.Combine("opt", "kafka", "bin", "kafka-server-start.sh")));
        Assert.Contains("install -y -q --no-install-recommends openjdk-21-jre-headless", File.ReadAllText(_dir.Combine("apt.log")));
    }

    [Fact]
    public void A_release_gone_from_the_main_site_is_taken_from_the_archive()
    {
        WriteScript();
        Publish(Archive);

        var result = Install();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
            [$"{Main}/{Version}/{Release}.tgz", $"{Archive}/{Version}/{Release}.tgz", $"{Archive}/{Version}/{Release}.tgz.sha512"],
            CurlCalls());
        Assert.True(Directory.Exists(_dir.Combine("opt", Release)));
    }

    [Fact]
    public void A_tarball_that_does_not_match_apaches_checksum_is_refused_and_nothing_is_installed()
    {
        WriteScript();
        var wrong = GpgPrintMd(Encoding.ASCII.GetBytes("something else"), Release + ".tgz");
        Publish(Main, Encoding.ASCII.GetBytes(wrong));

        var result = Install();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{Release}.tgz does not match Apache's {Release}.tgz.sha512", result.Output);
        Assert.False(Directory.Exists(_dir.Combine("opt", Release)));
        Assert.False(File.Exists(_dir.Combine("opt", "kafka")) || Directory.Exists(_dir.Combine("opt", "kafka")));
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Combine("opt")));
    }

    [Fact]
    public void A_pinned_sha512_is_used_instead_of_apaches_file()
    {
        WriteScript();
        WriteEnv(Convert.ToHexString(SHA512.HashData(_tarball)).ToLowerInvariant());
        Publish(Main, withSha: false);

        var result = Install();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("matches the kafkaSha512 pinned in the stack config", result.Output);
        Assert.DoesNotContain(CurlCalls(), url => url.EndsWith(".sha512"));
    }

    [Fact]
    public void A_wrong_pinned_sha512_is_refused()
    {
        WriteScript();
        WriteEnv(new string('a', 128));
        Publish(Main);

        var result = Install();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("does not match the kafkaSha512 pinned in the stack config", result.Output);
    }

    [Fact]
    public void Running_again_keeps_the_unpacked_release_and_downloads_nothing()
    {
        WriteScript();
        Publish(Main);
        Assert.Equal(0, Install().ExitCode);
        File.WriteAllText(_dir.Combine("opt", Release, "marker"), "kept");
        File.Delete(_dir.Combine("curl.log"));

        var again = Install();

        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Empty(CurlCalls());
        Assert.Contains("is already unpacked", again.Output);
        Assert.Equal("kept", File.ReadAllText(_dir.Combine("opt", Release, "marker")));
    }

    [Fact]
    public void A_release_found_nowhere_fails_naming_both_sites()
    {
        WriteScript();

        var result = Install();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"was found neither at {Main} nor at {Archive}", result.Output);
    }

    public void Dispose() => _dir.Dispose();
}
