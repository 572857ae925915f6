using System.Collections.Immutable;
using System.IO.Compression;
using System.Text;
using KraftInfra.Cluster;
using KraftInfra.Components;
using Pulumi;
using Aws = Pulumi.Aws;

namespace KraftInfra.Tests;

public class KraftStackTests
{
    private const string InstanceType = "aws:ec2/instance:Instance";
    private const string IngressType = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

    private static string Text(object value) => Assert.IsType<string>(value);

    private static IReadOnlyDictionary<string, object> Map(object value) => Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(value);

    /// <summary>The #cloud-config an instance boots with, from its userDataBase64 input.</summary>
    internal static string UserData(ImmutableDictionary<string, object> instance)
    {
        var bytes = Convert.FromBase64String(Text(instance["userDataBase64"]));
        if (bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Numbers reach the mocks as the engine sends them: doubles.</summary>
    private static int Port(object value) => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The value after <paramref name="prefix"/> on its line in server.properties or node.env.</summary>
    private static string Line(string document, string prefix)
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(document));
        var files = (YamlDotNet.RepresentationModel.YamlSequenceNode)((YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode)["write_files"];
        var contents = files.Cast<YamlDotNet.RepresentationModel.YamlMappingNode>()
            .Where(f => f["path"].ToString() is NodeUserData.PropertiesPath or NodeEnvironment.Path)
            .Select(f => f["content"].ToString());
        return contents.SelectMany(c => c.Split('\n')).Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];
    }

    [Fact]
    public async Task The_default_stack_creates_four_instances_two_of_each_role()
    {
        var run = await StackRun.DeployAsync();

        var instances = run.Inputs(InstanceType);
        Assert.Equal(4, instances.Count);
        var roles = instances.Values.Select(i => Text(Map(i["tags"])["role"])).ToList();
        Assert.Equal(2, roles.Count(r => r == "controller"));
        Assert.Equal(2, roles.Count(r => r == "broker"));
        Assert.Equal(
            ["kraft-broker-1-instance", "kraft-broker-2-instance", "kraft-controller-1-instance", "kraft-controller-2-instance"],
            instances.Keys.Order());
    }

    [Fact]
    public async Task Every_instance_boots_its_roles_properties_with_the_one_cluster_id()
    {
        var run = await StackRun.DeployAsync();
        var kafkaId = KafkaClusterId.FromUuid(AwsMocks.ClusterUuid);

        foreach (var (name, instance) in run.Inputs(InstanceType))
        {
            var document = UserData(instance);
            var tags = Map(instance["tags"]);
            Assert.StartsWith("#cloud-config\n", document);
            Assert.Equal(Text(tags["role"]), Line(document, "process.roles="));
            Assert.Equal(Text(tags["node-id"]), Line(document, "node.id="));
            Assert.Equal($"'{kafkaId}'", Line(document, "CLUSTER_ID="));
            Assert.Equal("1@10.42.0.10:9093,2@10.42.16.10:9093", Line(document, "controller.quorum.voters="));
            Assert.Equal(Text(instance["privateIp"]), Line(document, "listeners=").Split("://")[1].Split(':')[0]);
            Assert.True(Assert.IsType<bool>(instance["userDataReplaceOnChange"]), name);
        }
    }

    [Fact]
    public async Task Each_node_mounts_the_volume_attached_to_it_and_the_volume_is_in_the_instances_zone()
    {
        var run = await StackRun.DeployAsync();
        var subnetZones = new Dictionary<string, string>();
        foreach (var subnet in run.All<Aws.Ec2.Subnet>())
            subnetZones[await StackRun.Get(subnet.Id)] = await StackRun.Get(subnet.AvailabilityZone);
        var volumes = new Dictionary<string, (string Zone, string Name)>();
        foreach (var volume in run.All<Aws.Ebs.Volume>())
            volumes[await StackRun.Get(volume.Id)] = (await StackRun.Get(volume.AvailabilityZone), volume.GetResourceName());
        var instances = new Dictionary<string, Aws.Ec2.Instance>();
        foreach (var instance in run.All<Aws.Ec2.Instance>())
            instances[await StackRun.Get(instance.Id)] = instance;

        var attachments = run.All<Aws.Ec2.VolumeAttachment>().ToList();
        Assert.Equal(4, attachments.Count);
        foreach (var attachment in attachments)
        {
            var instance = instances[await StackRun.Get(attachment.InstanceId)];
            var volumeId = await StackRun.Get(attachment.VolumeId);
            Assert.Equal(subnetZones[await StackRun.Get(instance.SubnetId)], volumes[volumeId].Zone);
            Assert.Equal(instance.GetResourceName().Replace("-instance", "-data"), volumes[volumeId].Name);
            Assert.Equal(NodeEnvironment.DataDeviceName, await StackRun.Get(attachment.DeviceName));
            var document = UserData(run.Inputs(InstanceType)[instance.GetResourceName()]);
            Assert.Equal($"'{volumeId}'", Line(document, "DATA_VOLUME_ID="));
        }
    }

    [Fact]
    public async Task Subnets_take_the_first_zones_in_name_order_and_nodes_follow_their_slot()
    {
        var run = await StackRun.DeployAsync((Settings.AvailabilityZoneCount, "2"));

        var subnets = run.Inputs("aws:ec2/subnet:Subnet");
        Assert.Equal("eu-west-1a", Text(subnets["kraft-network-zone0"]["availabilityZone"]));
        Assert.Equal("eu-west-1b", Text(subnets["kraft-network-zone1"]["availabilityZone"]));
        Assert.Equal("10.42.16.0/20", Text(subnets["kraft-network-zone1"]["cidrBlock"]));
        var volumes = run.Inputs("aws:ebs/volume:Volume");
        Assert.Equal("eu-west-1b", Text(volumes["kraft-broker-2-data"]["availabilityZone"]));
    }

    [Fact]
    public async Task No_rule_opens_the_controller_port_or_ssh_to_the_internet()
    {
        var run = await StackRun.DeployAsync(
            (Settings.ClientCidrs, "[\"10.60.0.0/16\"]"),
            (Settings.SshCidr, "198.51.100.7/32"),
            (Settings.SshPublicKey, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample user@host"));

        var rules = run.Inputs(IngressType).Values.ToList();
        Assert.Equal(4, rules.Count);
        foreach (var rule in rules)
        {
            var port = Port(rule["fromPort"]);
            Assert.Equal(port, Port(rule["toPort"]));
            Assert.Equal("tcp", Text(rule["ipProtocol"]));
            var cidr = rule.TryGetValue("cidrIpv4", out var c) ? Text(c) : null;
            Assert.NotEqual("0.0.0.0/0", cidr);
            if (port == 9093)
            {
                Assert.Null(cidr);
                Assert.True(rule.ContainsKey("referencedSecurityGroupId"));
            }
        }
        Assert.Contains(rules, r => Port(r["fromPort"]) == 22 && Text(r["cidrIpv4"]) == "198.51.100.7/32");
        Assert.Contains(rules, r => Port(r["fromPort"]) == 9092 && r.TryGetValue("cidrIpv4", out var c) && Text(c) == "10.60.0.0/16");
        Assert.Single(run.Inputs("aws:ec2/keyPair:KeyPair"));
        Assert.All(run.Inputs(InstanceType).Values, i => Assert.True(i.ContainsKey("keyName")));
    }

    [Fact]
    public async Task Without_ssh_settings_there_is_no_ssh_rule_and_no_key()
    {
        var run = await StackRun.DeployAsync();

        Assert.DoesNotContain(run.Inputs(IngressType).Values, r => Port(r["fromPort"]) == 22);
        Assert.Equal([9092, 9093], run.Inputs(IngressType).Values.Select(r => Port(r["fromPort"])).Order());
        Assert.Empty(run.Inputs("aws:ec2/keyPair:KeyPair"));
        var egress = Assert.Single(run.Inputs("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").Values);
        Assert.Equal("-1", Text(egress["ipProtocol"]));
    }

    [Fact]
    public async Task Instances_require_imdsv2_encrypt_their_disks_and_use_the_looked_up_image_and_fixed_address()
    {
        var run = await StackRun.DeployAsync();
        var topology = Topology.Plan(new ClusterSpec());

        foreach (var (name, instance) in run.Inputs(InstanceType))
        {
            var node = topology.Node(name[..^"-instance".Length]);
            Assert.Equal(AwsMocks.ImageId, Text(instance["ami"]));
            Assert.Equal(node.PrivateIp, Text(instance["privateIp"]));
            Assert.Equal(node.Role == NodeRole.Controller ? "t3.medium" : "t3.large", Text(instance["instanceType"]));
            Assert.Equal("required", Text(Map(instance["metadataOptions"])["httpTokens"]));
            Assert.True((bool)Map(instance["rootBlockDevice"])["encrypted"]);
            var tags = Map(instance["tags"]);
            Assert.Equal(node.Name, Text(tags["Name"]));
            Assert.Equal("kraft", Text(tags["cluster"]));
            Assert.Equal(node.NodeId.ToString(), Text(tags["node-id"]));
        }
        foreach (var (_, volume) in run.Inputs("aws:ebs/volume:Volume"))
        {
            Assert.True((bool)volume["encrypted"]);
            Assert.Equal("gp3", Text(volume["type"]));
        }
        var ami = Assert.Single(run.Mocks.Calls, c => c.Token == "aws:ec2/getAmi:getAmi");
        Assert.Equal(UbuntuImage.CanonicalOwnerId, Assert.Single((IEnumerable<object>)ami.Args["owners"]));
    }

    [Fact]
    public async Task The_outputs_name_the_cluster_id_bootstrap_servers_quorum_and_every_node()
    {
        var run = await StackRun.DeployAsync();

        Assert.Equal(KafkaClusterId.FromUuid(AwsMocks.ClusterUuid), await StackRun.Get((Output<string>)run.Outputs["clusterId"]!));
        Assert.Equal("10.42.0.30:9092,10.42.16.30:9092", await StackRun.Get((Output<string>)run.Outputs["bootstrapServers"]!));
        Assert.Equal("1@10.42.0.10:9093,2@10.42.16.10:9093", await StackRun.Get((Output<string>)run.Outputs["controllerQuorum"]!));
        var nodes = await StackRun.Get((Output<ImmutableArray<ImmutableDictionary<string, object>>>)run.Outputs["nodes"]!);
        Assert.Equal(["kraft-controller-1", "kraft-controller-2", "kraft-broker-1", "kraft-broker-2"], nodes.Select(n => n["name"]));
        foreach (var node in nodes)
        {
            var instanceId = Text(node["instanceId"]);
            Assert.StartsWith("i-", instanceId);
            Assert.StartsWith("203.0.113.", Text(node["publicIp"]));
            Assert.Equal($"aws ssm start-session --target {instanceId} --region {AwsMocks.Region}", Text(node["ssmCommand"]));
        }
        Assert.Equal(101, nodes[2]["nodeId"]);
        Assert.Equal("broker", nodes[2]["role"]);
        Assert.Equal("10.42.0.30", nodes[2]["privateIp"]);
    }

    [Fact]
    public async Task A_bad_config_stops_the_program_with_every_problem_before_any_resource()
    {
        var mocks = new AwsMocks();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StackRun.DeployAsync(mocks, (Settings.BrokerCount, "0"), (Settings.VpcCidr, "10.0.0.0/8")));

        Assert.Contains("kraft-infra:brokerCount", error.ToString());
        Assert.Contains("kraft-infra:vpcCidr", error.ToString());
        Assert.Contains("2 problems; nothing was created", error.ToString());
        Assert.DoesNotContain(mocks.Registered.Keys, k => !k.StartsWith("pulumi:pulumi:Stack::", StringComparison.Ordinal));
        Assert.Empty(mocks.Calls);
    }

    [Fact]
    public async Task Instance_types_of_another_architecture_or_without_nvme_ebs_stop_the_program_before_any_resource()
    {
        var mocks = new AwsMocks();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StackRun.DeployAsync(mocks,
            (Settings.Architecture, "arm64"), (Settings.ControllerInstanceType, "t4g.medium"), (Settings.BrokerInstanceType, "t2.large")));

        var message = error.ToString();
        Assert.Contains("2 problems; nothing was created", message);
        Assert.Contains("kraft-infra:brokerInstanceType: \"t2.large\" is not accepted; expected an instance type for arm64", message);
        Assert.Contains("EC2 describes t2.large as i386, x86_64 only", message);
        Assert.Contains("EC2 describes t2.large's EBS NVMe support as unsupported", message);
        Assert.DoesNotContain("kraft-infra:controllerInstanceType", message);
        Assert.DoesNotContain(mocks.Registered.Keys, k => !k.StartsWith("pulumi:pulumi:Stack::", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_instance_type_is_looked_up_once()
    {
        var run = await StackRun.DeployAsync();

        var lookups = run.Mocks.Calls.Where(c => c.Token == "aws:ec2/getInstanceType:getInstanceType").Select(c => (string)c.Args["instanceType"]);
        Assert.Equal(["t3.large", "t3.medium"], lookups.Order());
    }

    [Fact]
    public async Task Asking_for_more_zones_than_the_region_has_stops_before_any_resource()
    {
        var mocks = new AwsMocks();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StackRun.DeployAsync(mocks, (Settings.AvailabilityZoneCount, "4")));

        Assert.Contains("kraft-infra:availabilityZoneCount: 4 is more than the 3 availability zones region eu-west-1 offers", error.ToString());
        Assert.DoesNotContain(mocks.Registered.Keys, k => !k.StartsWith("pulumi:pulumi:Stack::", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_resource_sits_under_its_component()
    {
        // The mocks don't see parents, but a transformation on the cluster component does: it
        // runs for every resource registered below it, with the options that resource was given.
        var parents = new Dictionary<string, string?>();
        await StackRun.ObserveClusterAsync(new ClusterSpec { SshCidr = "198.51.100.7/32", SshPublicKey = "ssh-ed25519 AAAA me" }, args =>
            parents[$"{args.Resource.GetResourceType()}::{args.Resource.GetResourceName()}"] =
                args.Options.Parent is { } p ? $"{p.GetResourceType()}::{p.GetResourceName()}" : null);

        Assert.Equal("kraft-infra:index:KraftCluster::kraft", parents["kraft-infra:index:ClusterNetwork::kraft-network"]);
        Assert.Equal("kraft-infra:index:KraftCluster::kraft", parents["kraft-infra:index:KafkaNode::kraft-broker-1"]);
        Assert.Equal("kraft-infra:index:KraftCluster::kraft", parents["random:index/randomUuid:RandomUuid::kraft-cluster-id"]);
        Assert.Equal("kraft-infra:index:KafkaNode::kraft-broker-1", parents["aws:ec2/instance:Instance::kraft-broker-1-instance"]);
        Assert.Equal("kraft-infra:index:KafkaNode::kraft-broker-1", parents["aws:ebs/volume:Volume::kraft-broker-1-data"]);
        Assert.Equal("kraft-infra:index:ClusterNetwork::kraft-network", parents["aws:ec2/vpc:Vpc::kraft-network-vpc"]);
        Assert.Equal("kraft-infra:index:KraftCluster::kraft", parents["aws:ec2/keyPair:KeyPair::kraft-ssh"]);
        // Every resource below the cluster has a parent, and only our components are parents.
        Assert.True(parents.Count > 30, $"only {parents.Count} resources seen");
        Assert.Null(parents["kraft-infra:index:KraftCluster::kraft"]);
        Assert.All(parents.Where(p => p.Key != "kraft-infra:index:KraftCluster::kraft"), p => Assert.StartsWith("kraft-infra:index:", p.Value));
    }

    [Fact]
    public async Task The_same_config_registers_identical_inputs_so_preview_shows_no_change()
    {
        var first = await StackRun.DeployAsync();
        var second = await StackRun.DeployAsync();

        Assert.Equal(first.Mocks.Registered.Keys.Order(), second.Mocks.Registered.Keys.Order());
        foreach (var key in first.Mocks.Registered.Keys.Where(k => !k.StartsWith("aws:ec2/volumeAttachment", StringComparison.Ordinal)
                     && !k.StartsWith(InstanceType, StringComparison.Ordinal)))
            Assert.Equal(Describe(first.Mocks.Registered[key]), Describe(second.Mocks.Registered[key]));
        // Instances and attachments name ids the mock hands out in registration order; compare the rest.
        foreach (var (name, instance) in first.Inputs(InstanceType))
            Assert.Equal(Describe(instance.Remove("userDataBase64")), Describe(second.Inputs(InstanceType)[name].Remove("userDataBase64")));
    }

    [Fact]
    public void Instances_replace_delete_first_keep_their_image_and_volumes_follow_the_keep_setting()
    {
        var instance = KafkaNode.InstanceOptions(null!, []);
        Assert.True(instance.DeleteBeforeReplace);
        Assert.Equal(["ami"], instance.IgnoreChanges);
        Assert.True(KafkaNode.AttachmentOptions(null!).DeleteBeforeReplace);
        Assert.False(KafkaNode.VolumeOptions(new ClusterSpec(), null!).RetainOnDelete);
        Assert.True(KafkaNode.VolumeOptions(new ClusterSpec { KeepDataVolumesOnDestroy = true }, null!).RetainOnDelete);
    }

    private static string Describe(object value) => value switch
    {
        string s => $"\"{s}\"",
        IReadOnlyDictionary<string, object> map => "{" + string.Join(",", map.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}:{Describe(e.Value)}")) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(",", list.Cast<object>().Select(Describe)) + "]",
        _ => value?.ToString() ?? "null",
    };
}
