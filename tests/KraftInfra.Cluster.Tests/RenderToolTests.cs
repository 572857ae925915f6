using KraftInfra.Render;

namespace KraftInfra.Cluster.Tests;

/// <summary>tools/render, run as users run it: dotnet render.dll with its command-line arguments.</summary>
public sealed class RenderToolTests : IDisposable
{
    private readonly ExternalTool.TempDir _dir = new();

    private ExternalTool.Result Render(params string[] args) =>
        ExternalTool.Run("dotnet", [typeof(StackFile).Assembly.Location, .. args]);

    [Fact]
    public void With_no_stack_it_writes_four_user_data_files_and_a_topology_summary()
    {
        var result = Render("--out", _dir.Path);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
            ["kraft-broker-1.userdata", "kraft-broker-2.userdata", "kraft-controller-1.userdata", "kraft-controller-2.userdata", "topology.txt"],
            Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order());
        var summary = File.ReadAllText(_dir.Combine("topology.txt"));
        Assert.Contains("controller.quorum.voters=1@10.42.0.10:9093,2@10.42.16.10:9093", summary);
        Assert.Contains("PLACEHOLDER", summary);
        Assert.Contains("tolerates 0 controller failures", result.Stderr);
        var broker = Clusters.Unpack(File.ReadAllBytes(_dir.Combine("kraft-broker-1.userdata")));
        Assert.StartsWith("#cloud-config\n", broker);
        Assert.Contains("DATA_VOLUME_ID='vol-00000000000000065'", broker);
    }

    [Fact]
    public void The_files_are_exactly_what_the_library_gives_ec2_for_the_same_cluster_id()
    {
        const string uuid = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        var result = Render("--cluster-id", uuid, "--out", _dir.Path);

        Assert.True(result.ExitCode == 0, result.Output);
        var spec = new ClusterSpec();
        var topology = Topology.Plan(spec);
        foreach (var node in topology.Nodes)
        {
            var written = File.ReadAllBytes(_dir.Combine(node.Name + ".userdata"));
            var volume = "vol-" + node.NodeId.ToString("x17");
            // render issues throwaway certificates each run: taken from what it wrote, all else must match.
            var files = Clusters.Files(Clusters.Unpack(written));
            var expected = NodeUserData.Render(spec, topology, node, new NodeCloudFacts(uuid, volume, $"zone{node.ZoneSlot}-placeholder",
                files[ClusterSecurity.NodeCertificatePath].Content, files[ClusterSecurity.CaCertificatePath].Content));
            Assert.Equal(expected.Bytes, written);
        }
    }

    [Fact]
    public void A_stack_file_sets_the_cluster_and_secure_values_are_named_not_decrypted()
    {
        var stack = _dir.Write("Pulumi.test.yaml", """
            config:
              aws:region: eu-west-1
              kraft-infra:controllerCount: 3
              kraft-infra:brokerCount: "3"
              kraft-infra:availabilityZoneCount: 3
              kraft-infra:clientCidrs:
                - 10.50.0.0/16
              kraft-infra:brokerProperties:
                log.retention.hours: 72
              kraft-infra:sshPublicKey:
                secure: AAABAKxR2pd6b0SZ
            """);

        var result = Render("--stack", stack, "--out", _dir.Combine("out"));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(6, Directory.GetFiles(_dir.Combine("out"), "*.userdata").Length);
        Assert.Contains("kraft-infra:sshPublicKey is a secure (encrypted) value; render does not decrypt secrets", result.Stderr);
        var broker = Clusters.Unpack(File.ReadAllBytes(_dir.Combine("out", "kraft-broker-3.userdata")));
        Assert.Contains("log.retention.hours=72", broker);
        Assert.Contains("controller.quorum.voters=1@10.42.0.10:9093,2@10.42.16.10:9093,3@10.42.32.10:9093", broker);
    }

    [Fact]
    public void A_bad_stack_stops_with_every_problem_and_writes_nothing()
    {
        var stack = _dir.Write("Pulumi.bad.yaml", """
            config:
              kraft-infra:brokerCount: 0
              kraft-infra:vpcCidr: 10.0.0.0/8
            """);

        var result = Render("--stack", stack, "--out", _dir.Combine("out"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("2 problems", result.Stderr);
        Assert.Contains("kraft-infra:brokerCount", result.Stderr);
        Assert.Contains("kraft-infra:vpcCidr", result.Stderr);
        Assert.False(Directory.Exists(_dir.Combine("out")));
    }

    public void Dispose() => _dir.Dispose();
}
