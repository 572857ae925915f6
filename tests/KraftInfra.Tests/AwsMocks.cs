using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using KraftInfra.Cluster;
using Pulumi.Testing;

namespace KraftInfra.Tests;

/// <summary>
/// The cloud as the mock tests see it: every resource the program may register, by type token,
/// answered with its inputs plus the outputs AWS would compute. An unknown type or invoke fails.
/// </summary>
public sealed class AwsMocks : IMocks
{
    public const string ClusterUuid = "f0e1d2c3-b4a5-4968-8776-655443322110";
    public const string ImageId = "ami-0fedcba9876543210";
    public const string Region = "eu-west-1";
    public static readonly string[] ZoneNames = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

    public const string ReadyLine = "ready: leader 1, voters 1,2 caught up, brokers 101,102 registered";

    private int _counter;

    /// <summary>Inputs of every registered resource, by "type::name".</summary>
    public ConcurrentDictionary<string, ImmutableDictionary<string, object>> Registered { get; } = new();

    public ConcurrentBag<MockCallArgs> Calls { get; } = [];

    /// <summary>The cluster's instances EC2 already has (getInstances): instance id by private address. None: a new stack.</summary>
    public Dictionary<string, string> ExistingInstances { get; init; } = [];

    /// <summary>The replication-basis tag the existing instances carry (getInstance); null: none (an older stack).</summary>
    public string? ExistingReplicationBasis { get; init; }

    public Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        Registered[$"{args.Type}::{args.Name}"] = args.Inputs;
        var state = args.Inputs.ToBuilder();
        var n = Interlocked.Increment(ref _counter).ToString("x", CultureInfo.InvariantCulture);
        string? id;
        switch (args.Type)
        {
            case "pulumi:pulumi:Stack" or "kraft-infra:index:KraftCluster" or "kraft-infra:index:ClusterNetwork" or "kraft-infra:index:KafkaNode"
                or "kraft-infra:index:ClusterReadiness":
                return Task.FromResult<(string?, object)>((null, state.ToImmutable()));
            case "random:index/randomUuid:RandomUuid":
                id = ClusterUuid;
                state["result"] = ClusterUuid;
                break;
            case "aws:ebs/volume:Volume":
                id = "vol-" + n.PadLeft(17, '0');
                break;
            case "aws:ec2/instance:Instance":
                id = "i-" + n.PadLeft(17, '0');
                state["publicIp"] = $"203.0.113.{_counter}";
                state["arn"] = $"arn:aws:ec2:{Region}:123456789012:instance/{id}";
                break;
            case "aws:ec2/keyPair:KeyPair":
                id = args.Name + "-" + n;
                state["keyName"] = id;
                break;
            case "aws:iam/role:Role" or "aws:iam/instanceProfile:InstanceProfile":
                id = args.Name + "-" + n;
                state["name"] = id;
                state["arn"] = $"arn:aws:iam::123456789012:{(args.Type.Contains("role") ? "role" : "instance-profile")}/{id}";
                break;
            case "aws:ec2/vpc:Vpc" or "aws:ec2/subnet:Subnet" or "aws:ec2/internetGateway:InternetGateway"
                or "aws:ec2/routeTable:RouteTable" or "aws:ec2/routeTableAssociation:RouteTableAssociation"
                or "aws:ec2/securityGroup:SecurityGroup" or "aws:ec2/volumeAttachment:VolumeAttachment"
                or "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" or "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
                or "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
                id = $"{args.Name}-{n}";
                break;
            case "aws:ssm/document:Document":
                // Pulumi names the document after the resource, with a random suffix.
                id = $"{args.Name}-{n}";
                state["name"] = id;
                state["arn"] = $"arn:aws:ssm:{Region}:123456789012:document/{id}";
                state["latestVersion"] = "1";
                break;
            case "command:local:Command":
                // What the node scripts print, as the driver passes it through.
                id = $"{args.Name}-{n}";
                var environment = (IReadOnlyDictionary<string, object>)args.Inputs["environment"];
                state["stdout"] = (string)environment["KRAFT_DOCUMENT_PARAMETER"] == SsmDocuments.Readiness.ParameterName
                    ? ReadyLine
                    : "created orders (partitions 6, replication factor 2)\ntopics: orders,orders.dead-letter\n";
                state["stderr"] = "";
                break;
            default:
                throw new NotSupportedException($"the program registered an unexpected resource type {args.Type} ({args.Name})");
        }
        return Task.FromResult<(string?, object)>((id, state.ToImmutable()));
    }

    /// <summary>
    /// DescribeInstanceTypes' answer for the types the tests use (t2 is Xen-based: no NVMe EBS);
    /// an unknown type fails as EC2 does.
    /// </summary>
    private static ImmutableDictionary<string, object> InstanceType(string type)
    {
        var (architectures, nvme) = type switch
        {
            "t3.small" or "t3.medium" or "t3.large" or "m7i.large" => ("x86_64", "required"),
            "t4g.medium" or "m7g.large" => ("arm64", "required"),
            "t2.large" => ("i386,x86_64", "unsupported"),
            _ => throw new InvalidOperationException($"InvalidInstanceType: The following supplied instance types do not exist: [{type}]"),
        };
        return ImmutableDictionary<string, object>.Empty
            .Add("id", type).Add("instanceType", type)
            .Add("supportedArchitectures", architectures.Split(',').Select(a => (object)a).ToImmutableArray())
            .Add("ebsNvmeSupport", nvme)
            .Add("hypervisor", nvme == "unsupported" ? "xen" : "nitro");
    }

    public Task<object> CallAsync(MockCallArgs args)
    {
        Calls.Add(args);
        object result = args.Token switch
        {
            "aws:index/getAvailabilityZones:getAvailabilityZones" => ImmutableDictionary<string, object>.Empty
                .Add("id", Region)
                .Add("names", ImmutableArray.Create<object>(ZoneNames[2], ZoneNames[0], ZoneNames[1]))
                .Add("zoneIds", ImmutableArray.Create<object>("euw1-az3", "euw1-az1", "euw1-az2")),
            "aws:index/getRegion:getRegion" => ImmutableDictionary<string, object>.Empty
                .Add("id", Region).Add("region", Region).Add("name", Region).Add("endpoint", "ec2.eu-west-1.amazonaws.com").Add("description", "Europe (Ireland)"),
            "aws:ec2/getAmi:getAmi" => ImmutableDictionary<string, object>.Empty
                .Add("id", ImageId).Add("imageId", ImageId).Add("architecture", "x86_64")
                .Add("name", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261101"),
            "aws:ec2/getInstanceType:getInstanceType" => InstanceType((string)args.Args["instanceType"]),
            "aws:ec2/getInstance:getInstance" => ImmutableDictionary<string, object>.Empty
                .Add("id", (string)args.Args["instanceId"])
                .Add("tags", ExistingReplicationBasis is null
                    ? ImmutableDictionary<string, object>.Empty
                    : ImmutableDictionary<string, object>.Empty.Add("replication-basis", ExistingReplicationBasis)),
            "aws:ec2/getInstances:getInstances" => ImmutableDictionary<string, object>.Empty
                .Add("id", Region)
                .Add("ids", ExistingInstances.Values.Select(v => (object)v).ToImmutableArray())
                .Add("privateIps", ExistingInstances.Keys.Select(k => (object)k).ToImmutableArray())
                .Add("publicIps", ExistingInstances.Keys.Select(_ => (object)"").ToImmutableArray())
                .Add("ipv6Addresses", ImmutableArray<object>.Empty),
            _ => throw new NotSupportedException($"the program called an unexpected invoke {args.Token}"),
        };
        return Task.FromResult(result);
    }
}
