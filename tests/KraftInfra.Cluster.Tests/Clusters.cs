using System.IO.Compression;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace KraftInfra.Cluster.Tests;

/// <summary>Specs, topologies and rendered user data the tests share.</summary>
public static class Clusters
{
    public const string SampleUuid = "6b1f0c9e-2f5d-4c3a-9a8e-0f1d2c3b4a59";

    public static ClusterSpec Spec(params (string Key, string Value)[] settings) =>
        ClusterSpecParser.Parse(settings.ToDictionary(s => s.Key, s => s.Value)).GetSpecOrThrow();

    public static ClusterSpec WithCounts(int controllers, int brokers, int zones = 2) => Spec(
        (Settings.ControllerCount, controllers.ToString()),
        (Settings.BrokerCount, brokers.ToString()),
        (Settings.AvailabilityZoneCount, zones.ToString()));

    /// <summary>One throwaway CA for every test: scram-tls nodes carry certificates in their user data.</summary>
    public static StandInCertificates Certificates { get; } = new("kraft");

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> NodeCertificates = new();

    /// <summary>A node's cloud facts; the certificates are ignored by a plaintext node.</summary>
    public static NodeCloudFacts Facts(KafkaNodePlan node, string uuid = SampleUuid) =>
        new(uuid, $"vol-0abc{node.NodeId:x13}", $"us-east-1{(char)('a' + node.ZoneSlot)}",
            NodeCertificates.GetOrAdd(node.Name + "@" + node.PrivateIp, _ => Certificates.Issue(node).CertificatePem), Certificates.CaCertificatePem);

    public static IReadOnlyList<(KafkaNodePlan Node, RenderedUserData UserData)> Render(ClusterSpec spec, string uuid = SampleUuid)
    {
        var topology = Topology.Plan(spec);
        return topology.Nodes.Select(n => (n, NodeUserData.Render(spec, topology, n, Facts(n, uuid)))).ToList();
    }

    /// <summary>The #cloud-config text a node gets from its user data bytes (gzip undone).</summary>
    public static string Unpack(byte[] bytes)
    {
        if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>write_files of a document, path → (content, permissions), parsed back from the YAML.</summary>
    public static Dictionary<string, (string Content, string Permissions, string Owner)> Files(string document)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(document));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var files = new Dictionary<string, (string, string, string)>();
        foreach (YamlMappingNode entry in (YamlSequenceNode)root["write_files"])
            files[((YamlScalarNode)entry["path"]).Value!] = (
                ((YamlScalarNode)entry["content"]).Value!,
                ((YamlScalarNode)entry["permissions"]).Value!,
                ((YamlScalarNode)entry["owner"]).Value!);
        return files;
    }

    /// <summary>server.properties parsed the simple way (key=value per line), as a checker would.</summary>
    public static Dictionary<string, string> Properties(string text) => text
        .Split('\n')
        .Where(l => l.Length > 0 && l[0] is not ('#' or '!'))
        .Select(l => l.Split('=', 2))
        .ToDictionary(p => p[0], p => p[1]);
}
