using System.Text;
using YamlDotNet.RepresentationModel;

namespace KraftInfra.Cluster.Tests;

public class UserDataTests
{
    public static TheoryData<int, int, int> Shapes => new() { { 2, 2, 2 }, { 3, 3, 3 }, { 1, 1, 1 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_document_passes_cloud_inits_own_schema_check(int controllers, int brokers, int zones)
    {
        var cloudInit = ExternalTool.Require("cloud-init", "cloud-init");
        using var dir = new ExternalTool.TempDir();
        foreach (var (node, userData) in Clusters.Render(Clusters.WithCounts(controllers, brokers, zones)))
        {
            var file = dir.Write(node.Name + ".yaml", Clusters.Unpack(userData.Bytes));
            var result = ExternalTool.Run(cloudInit, ["schema", "--config-file", file]);
            Assert.True(result.ExitCode == 0 && result.Output.Contains("Valid cloud-config"),
                $"{node.Name}: cloud-init schema said:\n{result.Output}");
        }
    }

    [Fact]
    public void Every_script_a_node_is_given_passes_shellcheck()
    {
        var shellcheck = ExternalTool.Require("shellcheck", "shellcheck");
        using var dir = new ExternalTool.TempDir();
        var checkedScripts = new HashSet<string>();
        foreach (var (node, userData) in Clusters.Render(new ClusterSpec()))
        {
            foreach (var (path, file) in Clusters.Files(userData.Document).Where(f => f.Value.Content.StartsWith("#!/bin/bash")))
            {
                var local = dir.Write($"{node.Name}/{Path.GetFileName(path)}", file.Content);
                var result = ExternalTool.Run(shellcheck, ["--shell=bash", "--severity=style", local]);
                Assert.True(result.ExitCode == 0, $"{node.Name}:{path}\n{result.Output}");
                checkedScripts.Add(Path.GetFileName(path));
            }
        }
        // Every node script template reached a node, in its user data or in an SSM document (those
        // are checked in SsmDocumentTests; the SSM driver runs on the machine running Pulumi and is
        // checked by its own tests).
        var inDocuments = SsmDocuments.All.SelectMany(d => d.Files).ToHashSet();
        Assert.Equal(
            TemplateLibrary.Names.Where(n => n.EndsWith(".sh", StringComparison.Ordinal) && n != TemplateLibrary.SsmDriverScript && !inDocuments.Contains(n)).Order(),
            checkedScripts.Order());
    }

    [Theory]
    [InlineData(NodeRole.Controller)]
    [InlineData(NodeRole.Broker)]
    public void The_kafka_unit_passes_systemd_analyze_verify_with_the_files_the_node_is_given(NodeRole role)
    {
        var analyze = ExternalTool.Require("systemd-analyze", "systemd");
        var systemUnits = new[] { "/usr/lib/systemd/system", "/lib/systemd/system" }.FirstOrDefault(d => File.Exists(Path.Combine(d, "multi-user.target")))
            ?? throw new Xunit.Sdk.XunitException("systemd's own units (multi-user.target) are not installed: apt-get install systemd");
        using var root = new ExternalTool.TempDir();
        // The root holds what a booted node has: systemd's targets, every file the user data
        // writes, and Kafka's start script from the release (a stub: only its presence matters).
        CopyDirectory(systemUnits, root.Combine("usr/lib/systemd/system"));
        var (_, userData) = Clusters.Render(new ClusterSpec()).First(n => n.Node.Role == role);
        foreach (var (path, file) in Clusters.Files(userData.Document))
            root.Write(path, file.Content, executable: file.Permissions == "0755");
        root.Write("/opt/kafka/bin/kafka-server-start.sh", "#!/bin/sh\n", executable: true);

        var result = ExternalTool.Run(analyze, ["verify", $"--root={root.Path}", "kafka.service"]);

        Assert.True(result.ExitCode == 0 && result.Output.Trim().Length == 0, $"systemd-analyze verify said:\n{result.Output}");
    }

    [Fact]
    public void A_unit_that_names_a_missing_script_fails_verification()
    {
        // The check above must be able to fail: the same root without the wait script is refused.
        var analyze = ExternalTool.Require("systemd-analyze", "systemd");
        var systemUnits = new[] { "/usr/lib/systemd/system", "/lib/systemd/system" }.First(d => File.Exists(Path.Combine(d, "multi-user.target")));
        using var root = new ExternalTool.TempDir();
        CopyDirectory(systemUnits, root.Combine("usr/lib/systemd/system"));
        var (_, userData) = Clusters.Render(new ClusterSpec()).First(n => n.Node.Role == NodeRole.Broker);
        foreach (var (path, file) in Clusters.Files(userData.Document).Where(f => !f.Key.EndsWith(TemplateLibrary.WaitScript)))
            root.Write(path, file.Content, executable: file.Permissions == "0755");
        root.Write("/opt/kafka/bin/kafka-server-start.sh", "#!/bin/sh\n", executable: true);

        var result = ExternalTool.Run(analyze, ["verify", $"--root={root.Path}", "kafka.service"]);

        Assert.Contains("wait-for-controllers.sh", result.Output);
    }

    [Fact]
    public void The_largest_default_node_uses_at_most_four_fifths_of_ec2s_16_kb_user_data_limit()
    {
        // scram-tls adds two certificates (which don't compress) and the secrets step; a fifth is
        // left for extra properties, and ClusterSpecParser refuses what would not fit.
        var largest = Clusters.Render(new ClusterSpec()).Max(n => n.UserData.Bytes.Length);

        Assert.InRange(largest, 1, CloudConfig.UserDataLimitBytes * 4 / 5);
    }

    [Fact]
    public void The_largest_default_plaintext_node_uses_at_most_half_of_ec2s_16_kb_user_data_limit()
    {
        var largest = Clusters.Render(Clusters.Spec((Settings.Security, "plaintext"))).Max(n => n.UserData.Bytes.Length);

        Assert.InRange(largest, 1, CloudConfig.UserDataLimitBytes / 2);
    }

    [Fact]
    public void A_document_of_half_the_limit_or_less_is_sent_as_text()
    {
        var half = CloudConfig.Header + "\n# " + new string('x', CloudConfig.GzipAboveBytes - CloudConfig.Header.Length - 4) + "\n";

        Assert.Equal(CloudConfig.GzipAboveBytes, Encoding.UTF8.GetByteCount(half));
        Assert.False(CloudConfig.Pack(half).Gzipped);
        Assert.True(CloudConfig.Pack(half + "x").Gzipped);
    }

    [Fact]
    public void A_document_over_the_limit_is_gzipped_and_unpacks_to_the_same_text()
    {
        var big = CloudConfig.Header + "\n# " + new string('x', 40_000) + "\n";

        var (bytes, gzipped) = CloudConfig.Pack(big);

        Assert.True(gzipped);
        Assert.InRange(bytes.Length, 1, CloudConfig.UserDataLimitBytes);
        Assert.Equal(big, Clusters.Unpack(bytes));
        Assert.Equal(bytes, CloudConfig.Pack(big).Bytes); // deterministic: no timestamp in the header
        var small = CloudConfig.Pack(CloudConfig.Header + "\n{}\n");
        Assert.False(small.Gzipped);
    }

    [Fact]
    public void Rendering_twice_gives_identical_bytes()
    {
        var first = Clusters.Render(new ClusterSpec());
        var second = Clusters.Render(new ClusterSpec());

        Assert.Equal(first.Select(n => n.UserData.Bytes), second.Select(n => n.UserData.Bytes));
    }

    [Fact]
    public void Every_node_carries_the_same_cluster_id_in_kafkas_form_and_its_own_volume()
    {
        var rendered = Clusters.Render(new ClusterSpec());
        var kafkaId = KafkaClusterId.FromUuid(Clusters.SampleUuid);

        foreach (var (node, userData) in rendered)
        {
            var env = Clusters.Files(userData.Document)[NodeEnvironment.Path].Content;
            Assert.Contains($"CLUSTER_ID='{kafkaId}'\n", env);
            var volume = Clusters.Facts(node).DataVolumeId;
            Assert.Contains($"DATA_VOLUME_ID='{volume}'\n", env);
            Assert.Contains($"DATA_DEVICE_BY_ID='/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_{volume.Replace("-", "")}'\n", env);
        }
    }

    [Fact]
    public void A_node_gets_its_users_files_and_one_boot_step()
    {
        var (node, userData) = Clusters.Render(new ClusterSpec()).First(n => n.Node.Role == NodeRole.Broker);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(userData.Document));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;

        Assert.StartsWith("#cloud-config\n", userData.Document);
        var users = (YamlSequenceNode)root["users"];
        Assert.Equal("default", ((YamlScalarNode)users[0]).Value);
        var kafka = (YamlMappingNode)users[1];
        Assert.Equal("kafka", ((YamlScalarNode)kafka["name"]).Value);
        Assert.Equal("true", ((YamlScalarNode)kafka["system"]).Value);
        var runcmd = Assert.Single((YamlSequenceNode)root["runcmd"]);
        Assert.Equal("/usr/local/lib/kraft-infra/boot.sh", ((YamlScalarNode)((YamlSequenceNode)runcmd)[0]).Value);

        var files = Clusters.Files(userData.Document);
        Assert.Equal(
            ["/etc/kafka/server.properties", "/etc/kafka/tls/ca.pem", "/etc/kafka/tls/node-cert.pem",
             "/etc/kraft-infra/node.env", "/etc/systemd/system/kafka.service",
             "/usr/local/lib/kraft-infra/boot.sh", "/usr/local/lib/kraft-infra/fetch-parameter", "/usr/local/lib/kraft-infra/install-kafka.sh",
             "/usr/local/lib/kraft-infra/kafka-heap-env.sh", "/usr/local/lib/kraft-infra/secure-node.sh",
             "/usr/local/lib/kraft-infra/wait-for-controllers.sh"],
            files.Keys.Order());
        Assert.All(files.Values, f => Assert.Equal("root:root", f.Owner));
        Assert.Equal("0755", files["/usr/local/lib/kraft-infra/boot.sh"].Permissions);
        Assert.Equal("0644", files["/etc/kafka/server.properties"].Permissions);
        Assert.Equal(KafkaProperties.For(new ClusterSpec(), Topology.Plan(new ClusterSpec()), node, Clusters.Facts(node).ZoneName).Render(),
            files["/etc/kafka/server.properties"].Content);
    }

    [Fact]
    public void Only_brokers_wait_for_the_controllers_and_the_start_timeout_outlasts_the_wait()
    {
        var spec = Clusters.Spec((Settings.ControllerWaitTimeoutSeconds, "600"));
        foreach (var (node, userData) in Clusters.Render(spec))
        {
            var files = Clusters.Files(userData.Document);
            var unit = files[NodeUserData.UnitPath].Content;
            Assert.Contains("ExecStart=/opt/kafka/bin/kafka-server-start.sh /etc/kafka/server.properties\n", unit);
            Assert.Contains("User=kafka\n", unit);
            Assert.Contains("Restart=on-failure\n", unit);
            Assert.Contains("RequiresMountsFor=/var/lib/kafka\n", unit);
            Assert.Contains("After=network-online.target\n", unit);
            Assert.Matches(@"LimitNOFILE=\d{5,}", unit);
            if (node.Role == NodeRole.Broker)
            {
                Assert.Contains("ExecStartPre=/usr/local/lib/kraft-infra/wait-for-controllers.sh /etc/kafka/server.properties\n", unit);
                Assert.Contains("TimeoutStartSec=720\n", unit);
                Assert.Contains("/usr/local/lib/kraft-infra/wait-for-controllers.sh", files.Keys);
                Assert.Contains("CONTROLLER_WAIT_TIMEOUT_SECONDS='600'", files[NodeEnvironment.Path].Content);
            }
            else
            {
                Assert.DoesNotContain("wait-for-controllers", unit);
                Assert.DoesNotContain("/usr/local/lib/kraft-infra/wait-for-controllers.sh", files.Keys);
            }
        }
    }

    [Fact]
    public void The_boot_script_formats_with_the_shared_id_as_one_argument_and_keeps_existing_data()
    {
        var boot = TemplateLibrary.Read(TemplateLibrary.BootScript);

        Assert.StartsWith("#!/bin/bash", boot);
        Assert.Contains("\nset -euo pipefail\n", boot);
        Assert.Contains("runuser -u kafka -- bash -c '. /etc/kraft-infra/node.env && LOG_DIR=/var/log/kafka exec /opt/kafka/bin/kafka-storage.sh format --config /etc/kafka/server.properties --cluster-id=\"$CLUSTER_ID\" --ignore-formatted'\n", boot);
        Assert.DoesNotContain("--cluster-id \"", boot);
        // mkfs only behind a blank-device test, and the mount goes through fstab with nofail.
        var lines = boot.Split('\n');
        var mkfs = Array.FindIndex(lines, l => l.TrimStart().StartsWith("mkfs", StringComparison.Ordinal));
        Assert.True(mkfs > 0);
        Assert.Contains(lines[(mkfs - 4)..mkfs], l => l.Contains("blkid") || l.Contains("if [ -z \"$fs_type\" ]"));
        Assert.Contains("defaults,noatime,nofail", boot);
        Assert.Contains($"install -d -o kafka -g kafka -m 0750 {KafkaProperties.LogDirectory} {KafkaProperties.MetadataDirectory}\n", boot);
        Assert.Contains("\nsystemctl enable --now kafka.service\n", boot);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            var info = new FileInfo(file);
            if (info.LinkTarget is { } target)
                File.CreateSymbolicLink(Path.Combine(to, info.Name), target);
            else
                File.Copy(file, Path.Combine(to, info.Name));
        }
        foreach (var dir in Directory.EnumerateDirectories(from))
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
