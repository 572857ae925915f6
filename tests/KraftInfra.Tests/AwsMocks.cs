using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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

    /// <summary>The security tag the existing instances carry (getInstance); null: none (nodes from before the setting).</summary>
    public string? ExistingSecurity { get; init; } = ClusterSecurity.ScramTlsName;

    public const string AccountId = "123456789012";

    /// <summary>What the users step prints, as the driver passes it through.</summary>
    public const string UsersLine = "users: orders-app";

    /// <summary>Every RandomPassword's result, by resource name: the tests look for them where they must not be.</summary>
    public ConcurrentDictionary<string, string> Passwords { get; } = new();

    /// <summary>Every TLS private key's PEM forms, by resource name.</summary>
    public ConcurrentDictionary<string, string[]> PrivateKeys { get; } = new();

    // Keys and certificates are made once per resource name, as the stack's state keeps them:
    // two runs of the same config see the same ones.
    private static readonly ConcurrentDictionary<string, string[]> KeyForms = new();
    private static readonly ConcurrentDictionary<string, string> Certificates = new();

    private static string[] KeyPems(string name) => KeyForms.GetOrAdd(name, _ =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return [key.ExportECPrivateKeyPem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n", key.ExportSubjectPublicKeyInfoPem() + "\n"];
    });

    /// <summary>A real certificate PEM (ECDSA P-256, CN = the resource name), as the TLS provider returns one.</summary>
    private static string CertificatePem(string commonName) => Certificates.GetOrAdd(commonName, NewCertificatePem);

    private static string NewCertificatePem(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(2));
        return certificate.ExportCertificatePem() + "\n";
    }

    public Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        Registered[$"{args.Type}::{args.Name}"] = args.Inputs;
        var name = args.Name ?? throw new ArgumentException("a resource without a name");
        var state = args.Inputs.ToBuilder();
        var n = Interlocked.Increment(ref _counter).ToString("x", CultureInfo.InvariantCulture);
        string? id;
        switch (args.Type)
        {
            case "pulumi:pulumi:Stack" or "kraft-infra:index:KraftCluster" or "kraft-infra:index:ClusterNetwork" or "kraft-infra:index:KafkaNode"
                or "kraft-infra:index:ClusterReadiness" or "kraft-infra:index:ClusterSecrets":
                return Task.FromResult<(string?, object)>((null, state.ToImmutable()));
            case "random:index/randomUuid:RandomUuid":
                id = ClusterUuid;
                state["result"] = ClusterUuid;
                break;
            case "random:index/randomPassword:RandomPassword":
                id = name;
                // Letters and digits, as the program asks (special = false), unique per resource.
                var password = "Pw" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..30];
                Passwords[name] = password;
                state["result"] = password;
                break;
            case "tls:index/privateKey:PrivateKey":
            {
                id = name;
                var forms = KeyPems(name);
                PrivateKeys[name] = forms[..2];
                state["privateKeyPem"] = forms[0];
                state["privateKeyPemPkcs8"] = forms[1];
                state["publicKeyPem"] = forms[2];
                break;
            }
            case "tls:index/selfSignedCert:SelfSignedCert" or "tls:index/locallySignedCert:LocallySignedCert":
                id = name;
                state["certPem"] = CertificatePem(name);
                break;
            case "tls:index/certRequest:CertRequest":
                id = name;
                state["certRequestPem"] = "-----BEGIN CERTIFICATE REQUEST-----\nTUlJQg==\n-----END CERTIFICATE REQUEST-----\n";
                break;
            case "aws:kms/key:Key":
                id = $"1234abcd-12ab-34cd-56ef-{n.PadLeft(12, '0')}";
                state["keyId"] = id;
                state["arn"] = $"arn:aws:kms:{Region}:{AccountId}:key/{id}";
                break;
            case "aws:kms/alias:Alias":
                id = (string)args.Inputs["name"];
                state["arn"] = $"arn:aws:kms:{Region}:{AccountId}:{id}";
                break;
            case "aws:ssm/parameter:Parameter":
                id = (string)args.Inputs["name"];
                state["arn"] = $"arn:aws:ssm:{Region}:{AccountId}:parameter{id}";
                state["version"] = 1;
                break;
            case "aws:iam/rolePolicy:RolePolicy":
                id = $"{args.Name}-{n}";
                break;
            case "aws:ebs/volume:Volume":
                // From the name, not the registration order: another node's resources move no volume's id.
                id = "vol-0" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..16].ToLowerInvariant();
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
                var parameter = (string)environment["KRAFT_DOCUMENT_PARAMETER"];
                state["stdout"] = parameter == SsmDocuments.Readiness.ParameterName ? ReadyLine
                    : parameter == SsmDocuments.Users.ParameterName ? "set orders-app (SCRAM-SHA-512), 1 ACL entry\n" + UsersLine + "\n"
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
                .Add("tags", ExistingTags()),
            "aws:index/getCallerIdentity:getCallerIdentity" => ImmutableDictionary<string, object>.Empty
                .Add("id", AccountId).Add("accountId", AccountId)
                .Add("arn", $"arn:aws:sts::{AccountId}:assumed-role/deployer/ci").Add("userId", "AROAEXAMPLE:ci"),
            "aws:index/getPartition:getPartition" => ImmutableDictionary<string, object>.Empty
                .Add("id", "aws").Add("partition", "aws").Add("dnsSuffix", "amazonaws.com").Add("reverseDnsPrefix", "com.amazonaws"),
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

    private ImmutableDictionary<string, object> ExistingTags()
    {
        var tags = ImmutableDictionary<string, object>.Empty;
        if (ExistingReplicationBasis is not null) tags = tags.Add(ResourceTags.ReplicationBasisTag, ExistingReplicationBasis);
        if (ExistingSecurity is not null) tags = tags.Add(ResourceTags.SecurityTag, ExistingSecurity);
        return tags;
    }
}
