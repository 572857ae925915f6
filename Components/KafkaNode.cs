using KraftInfra.Cluster;
using Pulumi;
using Pulumi.Aws.Ebs;
using Pulumi.Aws.Ec2;
using Pulumi.Aws.Ec2.Inputs;

namespace KraftInfra.Components;

public sealed class KafkaNodeArgs
{
    public required ClusterSpec Spec { get; init; }
    public required ClusterTopology Topology { get; init; }
    public required KafkaNodePlan Node { get; init; }
    public required string ZoneName { get; init; }
    public required Input<string> SubnetId { get; init; }
    public required Input<string> SecurityGroupId { get; init; }
    public required Input<string> InstanceProfileName { get; init; }
    public required string ImageId { get; init; }

    /// <summary>The cluster's RandomUuid result, hyphenated.</summary>
    public required Input<string> ClusterUuid { get; init; }

    /// <summary>scram-tls: the node's certificate and the CA's (public; they go in the user data).</summary>
    public Input<string>? NodeCertificatePem { get; init; }
    public Input<string>? CaCertificatePem { get; init; }

    /// <summary>scram-tls: what the boot reads from Parameter Store (the parameters and the role's read access).</summary>
    public IReadOnlyList<Resource> BootDependencies { get; init; } = [];

    /// <summary>The EC2 key pair to install for SSH, when SSH is enabled.</summary>
    public Input<string>? KeyName { get; init; }

    /// <summary>
    /// In a rolling change: the previous node's gate (or the pre-flight) that this node's instance
    /// waits for before it is replaced or restarted. Empty for a node that does not exist yet.
    /// </summary>
    public IReadOnlyList<Resource> WaitFor { get; init; } = [];
}

/// <summary>
/// One Kafka node: an encrypted gp3 data volume in the node's zone, the instance that boots the
/// Cluster library's user data for it, and the attachment between them. The volume outlives the
/// instance: a replaced instance finds its data on it.
/// </summary>
public sealed class KafkaNode : ComponentResource
{
    [Output("instanceId")]
    public Output<string> InstanceId { get; }

    [Output("privateIp")]
    public Output<string> PrivateIp { get; }

    [Output("publicIp")]
    public Output<string> PublicIp { get; }

    [Output("dataVolumeId")]
    public Output<string> DataVolumeId { get; }

    public KafkaNodePlan Plan { get; }

    /// <summary>What the node runs (<see cref="NodeFingerprint"/>): its instance's fingerprint tag and its gate's key.</summary>
    public string Fingerprint { get; }

    public KafkaNode(string name, KafkaNodeArgs args, ComponentResourceOptions? options = null)
        : base("kraft-infra:index:KafkaNode", name, options)
    {
        var (spec, node) = (args.Spec, args.Node);
        Plan = node;
        Fingerprint = NodeFingerprint.Of(spec, args.Topology, node, args.ZoneName);

        var volume = new Volume($"{name}-data", new VolumeArgs
        {
            AvailabilityZone = args.ZoneName,
            Type = "gp3",
            Size = spec.VolumeSizeGiB(node.Role),
            Iops = spec.VolumeIops,
            Throughput = spec.VolumeThroughputMiBps,
            Encrypted = true,
            Tags = ResourceTags.ForNode(spec, node, "data").ToInputMap(),
        }, VolumeOptions(spec, this));

        var instanceArgs = new InstanceArgs
        {
            Ami = args.ImageId,
            InstanceType = spec.InstanceType(node.Role),
            SubnetId = args.SubnetId,
            PrivateIp = node.PrivateIp,
            AssociatePublicIpAddress = true,
            VpcSecurityGroupIds = { args.SecurityGroupId },
            IamInstanceProfile = args.InstanceProfileName,
            // The cluster id, the volume id and the certificates are only known in the cloud; the
            // rest is fixed by the spec. No secret is in here: the boot reads those from Parameter Store.
            UserDataBase64 = Output.Tuple(args.ClusterUuid, (Input<string>)volume.Id,
                    args.NodeCertificatePem ?? Output.Create(""), args.CaCertificatePem ?? Output.Create("")).Apply(t =>
                NodeUserData.Render(spec, args.Topology, node, new NodeCloudFacts(t.Item1, t.Item2, args.ZoneName,
                    t.Item3.Length > 0 ? t.Item3 : null, t.Item4.Length > 0 ? t.Item4 : null)).Base64),
            UserDataReplaceOnChange = true,
            MetadataOptions = new InstanceMetadataOptionsArgs
            {
                HttpEndpoint = "enabled",
                HttpTokens = "required", // IMDSv2 only
            },
            RootBlockDevice = new InstanceRootBlockDeviceArgs
            {
                VolumeType = "gp3",
                VolumeSize = RootVolumeSizeGiB,
                Encrypted = true,
                DeleteOnTermination = true,
            },
            Tags = new Dictionary<string, string>(ResourceTags.ForNode(spec, node))
            {
                [ResourceTags.FingerprintTag] = Fingerprint,
            }.ToInputMap(),
        };
        if (args.KeyName is not null)
            instanceArgs.KeyName = args.KeyName;
        var instance = new Instance($"{name}-instance", instanceArgs, InstanceOptions(this, [.. args.WaitFor, .. args.BootDependencies]));

        _ = new VolumeAttachment($"{name}-data-attachment", new VolumeAttachmentArgs
        {
            DeviceName = NodeEnvironment.DataDeviceName,
            VolumeId = volume.Id,
            InstanceId = instance.Id,
            // Detach only from a stopped instance, so Kafka has shut down cleanly first.
            StopInstanceBeforeDetaching = true,
        }, AttachmentOptions(this));

        InstanceId = instance.Id;
        PrivateIp = instance.PrivateIp;
        PublicIp = instance.PublicIp;
        DataVolumeId = volume.Id;
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["instanceId"] = InstanceId,
            ["privateIp"] = PrivateIp,
            ["publicIp"] = PublicIp,
            ["dataVolumeId"] = DataVolumeId,
        });
    }

    /// <summary>Kafka, Java and logs live on the root volume; data is on the data volume.</summary>
    public const int RootVolumeSizeGiB = 20;

    /// <summary>
    /// The data volume is deleted with the stack unless keepDataVolumesOnDestroy says otherwise;
    /// it is never replaced along with its instance.
    /// </summary>
    public static CustomResourceOptions VolumeOptions(ClusterSpec spec, Resource parent) => new()
    {
        Parent = parent,
        RetainOnDelete = spec.KeepDataVolumesOnDestroy,
    };

    /// <summary>
    /// The instance holds a fixed private IP that EC2 won't give two instances, so a replacement
    /// deletes the old one first. A newer Ubuntu image must not replace running nodes: the image a
    /// node was built from stays until the node is replaced on purpose (README, "Roll to a new image").
    /// </summary>
    public static CustomResourceOptions InstanceOptions(Resource parent, IReadOnlyList<Resource> waitFor) => new()
    {
        Parent = parent,
        DeleteBeforeReplace = true,
        IgnoreChanges = ["ami"],
        DependsOn = waitFor.Select(r => (Input<Resource>)r).ToList(),
    };

    /// <summary>A volume attaches to one instance at a time: the attachment goes before its replacement.</summary>
    public static CustomResourceOptions AttachmentOptions(Resource parent) => new()
    {
        Parent = parent,
        DeleteBeforeReplace = true,
    };
}
