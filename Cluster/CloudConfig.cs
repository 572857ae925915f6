using System.IO.Compression;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace KraftInfra.Cluster;

/// <summary>The subset of cloud-init's #cloud-config a kraft-infra node uses, as an object model.</summary>
public sealed class CloudConfig
{
    [YamlMember(Alias = "groups", Order = 0)]
    public List<string> Groups { get; init; } = [];

    /// <summary>"default" (the image's user, ubuntu) and <see cref="CloudUser"/> entries.</summary>
    [YamlMember(Alias = "users", Order = 1)]
    public List<object> Users { get; init; } = [];

    [YamlMember(Alias = "write_files", Order = 2)]
    public List<WriteFile> WriteFiles { get; init; } = [];

    /// <summary>Each command as an argument list: cloud-init runs it without a shell's word splitting.</summary>
    [YamlMember(Alias = "runcmd", Order = 3)]
    public List<List<string>> RunCmd { get; init; } = [];

    public const string Header = "#cloud-config";

    /// <summary>EC2 refuses user data above 16 KB (16,384 bytes), before base64.</summary>
    public const int UserDataLimitBytes = 16384;

    /// <summary>
    /// A document above half of EC2's limit is sent gzipped, so the default nodes use at most half
    /// of it and leave the rest for what later settings add (TLS, metrics).
    /// </summary>
    public const int GzipAboveBytes = UserDataLimitBytes / 2;

    public string Serialize()
    {
        var serializer = new SerializerBuilder()
            .WithQuotingNecessaryStrings()
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitEmptyCollections)
            .DisableAliases()
            .Build();
        return Header + "\n" + serializer.Serialize(this);
    }

    /// <summary>
    /// The bytes EC2 receives: the document itself up to <see cref="GzipAboveBytes"/>, else its gzip
    /// (cloud-init unpacks gzip user data). Deterministic, so an unchanged node is not replaced.
    /// </summary>
    public static (byte[] Bytes, bool Gzipped) Pack(string document)
    {
        var raw = Encoding.UTF8.GetBytes(document);
        if (raw.Length <= GzipAboveBytes)
            return (raw, false);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(raw);
        var packed = buffer.ToArray();
        if (packed.Length > UserDataLimitBytes)
            throw new InvalidOperationException($"user data is {raw.Length} bytes, {packed.Length} gzipped: above EC2's {UserDataLimitBytes}-byte limit");
        return (packed, true);
    }
}

/// <summary>A user cloud-init creates (cc_users_groups).</summary>
public sealed class CloudUser
{
    [YamlMember(Alias = "name", Order = 0)]
    public required string Name { get; init; }

    [YamlMember(Alias = "system", Order = 1)]
    public bool System { get; init; }

    [YamlMember(Alias = "primary_group", Order = 2)]
    public string? PrimaryGroup { get; init; }

    [YamlMember(Alias = "shell", Order = 3)]
    public string? Shell { get; init; }

    [YamlMember(Alias = "lock_passwd", Order = 4)]
    public bool LockPassword { get; init; } = true;
}

/// <summary>A file cloud-init writes (cc_write_files), with its content as a literal block.</summary>
public sealed class WriteFile
{
    [YamlMember(Alias = "path", Order = 0)]
    public required string Path { get; init; }

    [YamlMember(Alias = "owner", Order = 1)]
    public string Owner { get; init; } = "root:root";

    /// <summary>Octal, as a string: a bare 0644 would be read as a number.</summary>
    [YamlMember(Alias = "permissions", Order = 2)]
    public string Permissions { get; init; } = "0644";

    [YamlMember(Alias = "content", Order = 3, ScalarStyle = ScalarStyle.Literal)]
    public required string Content { get; init; }
}
