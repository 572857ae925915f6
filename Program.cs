using System.Collections.Immutable;
using System.Globalization;
using KraftInfra.Cluster;
using KraftInfra.Components;
using Pulumi;
using Aws = Pulumi.Aws;

return await Deployment.RunAsync(Program.DefineStackAsync);

/// <summary>The stack: config → ClusterSpec → KraftCluster → stack outputs.</summary>
public partial class Program
{
    /// <summary>
    /// The whole stack body, also run by the mock tests under Deployment.TestAsync. Every check
    /// that can fail happens before the first resource is registered: bad config, instance types
    /// that don't fit, too few zones.
    /// </summary>
    public static async Task<IDictionary<string, object?>> DefineStackAsync()
    {
        var spec = ReadSpec(new Config());

        // EC2's own description of each instance type: the architecture and the NVMe-attached EBS
        // the boot relies on. An unknown type fails here, in the invoke, naming it.
        var typeFacts = new Dictionary<string, InstanceTypeFacts>(StringComparer.Ordinal);
        foreach (var type in new[] { spec.ControllerInstanceType, spec.BrokerInstanceType }.Distinct(StringComparer.Ordinal))
        {
            var info = await Aws.Ec2.GetInstanceType.InvokeAsync(new Aws.Ec2.GetInstanceTypeArgs { InstanceType = type });
            typeFacts[type] = new InstanceTypeFacts(type, info.SupportedArchitectures, info.EbsNvmeSupport);
        }
        var typeProblems = InstanceTypeRules.Problems(spec, typeFacts);
        if (typeProblems.Count > 0)
            throw new RunException(new ClusterSpecException(typeProblems).Message);

        var zones = await Aws.GetAvailabilityZones.InvokeAsync(new Aws.GetAvailabilityZonesArgs
        {
            State = "available",
            // Regular zones only: Local and Wavelength Zones need an opt-in and lack most instance types.
            Filters = [new Aws.Inputs.GetAvailabilityZonesFilterArgs { Name = "opt-in-status", Values = ["opt-in-not-required"] }],
        });
        var region = (await Aws.GetRegion.InvokeAsync()).Region;
        var zoneNames = zones.Names.Order(StringComparer.Ordinal).ToImmutableArray();
        if (zoneNames.Length < spec.AvailabilityZoneCount)
            throw new RunException(
                $"{Settings.Get(Settings.AvailabilityZoneCount).QualifiedKey}: {spec.AvailabilityZoneCount} is more than the "
                + $"{zoneNames.Length} availability zones region {region} offers ({string.Join(", ", zoneNames)}); choose at most {zoneNames.Length}.");

        var image = await Aws.Ec2.GetAmi.InvokeAsync(new Aws.Ec2.GetAmiArgs
        {
            MostRecent = true,
            Owners = [UbuntuImage.CanonicalOwnerId],
            Filters =
            [
                new Aws.Ec2.Inputs.GetAmiFilterArgs { Name = "name", Values = [UbuntuImage.NamePattern(spec.Architecture)] },
                new Aws.Ec2.Inputs.GetAmiFilterArgs { Name = "architecture", Values = [spec.Architecture] },
            ],
        });

        // The cluster's nodes that exist already: a change rolls through them one at a time, while
        // a new stack (or an added broker) is created without waiting. Stopped nodes count: they
        // come back with the change.
        var existing = await Aws.Ec2.GetInstances.InvokeAsync(new Aws.Ec2.GetInstancesArgs
        {
            InstanceTags = new Dictionary<string, string> { ["cluster"] = spec.ClusterName, ["managed-by"] = "kraft-infra" },
            InstanceStateNames = ["pending", "running", "stopping", "stopped"],
        });
        var existingInstances = existing.PrivateIps.Zip(existing.Ids)
            .GroupBy(p => p.First, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Second, StringComparer.Ordinal);

        var topology = Topology.Plan(spec);

        // Adding brokers must change no existing node: the derived replication settings keep the
        // broker count the cluster was created with, which its brokers carry as a tag.
        var existingBroker = topology.Brokers.FirstOrDefault(b => existingInstances.ContainsKey(b.PrivateIp));
        if (existingBroker is not null)
        {
            var broker = await Aws.Ec2.GetInstance.InvokeAsync(new Aws.Ec2.GetInstanceArgs { InstanceId = existingInstances[existingBroker.PrivateIp] });
            if (broker.Tags.TryGetValue(ResourceTags.ReplicationBasisTag, out var basis)
                && int.TryParse(basis, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1)
                spec = spec with { ReplicationBasis = count };
        }

        // A quorum that tolerates no failure can't roll a controller without an outage: say so when
        // a change reaches one (its instance's fingerprint tag is what it runs now). Compared with
        // what the node will run, so after the replication basis is known.
        if (spec.ControllerFailuresTolerated == 0 && spec.WaitForReady)
        {
            foreach (var controller in topology.Controllers.Where(c => existingInstances.ContainsKey(c.PrivateIp)))
            {
                var running = await Aws.Ec2.GetInstance.InvokeAsync(new Aws.Ec2.GetInstanceArgs { InstanceId = existingInstances[controller.PrivateIp] });
                var planned = NodeFingerprint.Of(spec, topology, controller, zoneNames[controller.ZoneSlot]);
                if (running.Tags.TryGetValue(ResourceTags.FingerprintTag, out var now) && now == planned) continue;
                Log.Warn($"{Settings.Get(Settings.ControllerCount).QualifiedKey} = {spec.ControllerCount}: this change replaces or restarts "
                         + $"{controller.Name}, and a quorum of {spec.ControllerCount} tolerates no controller failure: the cluster is unavailable "
                         + "while it is down, even rolled one node at a time. Use 3 controllers to roll without an outage.");
            }
        }

        // The security a running cluster was created with stays (SecurityTransition): asked of one
        // of its nodes, which carry it as a tag (none: they predate the setting and run plaintext).
        var existingNode = topology.Nodes.FirstOrDefault(n => existingInstances.ContainsKey(n.PrivateIp));
        if (existingNode is not null)
        {
            var running = await Aws.Ec2.GetInstance.InvokeAsync(new Aws.Ec2.GetInstanceArgs { InstanceId = existingInstances[existingNode.PrivateIp] });
            var securityProblems = SecurityTransition.Problems(spec, clusterExists: true,
                running.Tags.TryGetValue(ResourceTags.SecurityTag, out var tag) ? tag : null);
            if (securityProblems.Count > 0)
                throw new RunException(new ClusterSpecException(securityProblems).Message);
        }

        // A scram-tls node role may read only its cluster's parameters: their ARNs need the account.
        var accountId = "";
        var partition = "aws";
        if (spec.ScramTls)
        {
            accountId = (await Aws.GetCallerIdentity.InvokeAsync()).AccountId;
            partition = (await Aws.GetPartition.InvokeAsync()).Partition;
        }

        var removal = NodeRemoval.Problems(spec, topology, existingInstances.Keys.ToList());
        if (removal.Count > 0)
            throw new RunException(new ClusterSpecException(removal).Message);

        var cluster = new KraftCluster(spec.ClusterName, new KraftClusterArgs
        {
            Spec = spec,
            ZoneNames = zoneNames.Take(spec.AvailabilityZoneCount).ToList(),
            ImageId = image.Id,
            Region = region,
            AccountId = accountId,
            Partition = partition,
            Profile = Aws.Config.Profile,
            ExistingInstances = existingInstances,
        });

        return new Dictionary<string, object?>
        {
            ["clusterId"] = cluster.ClusterId,
            ["bootstrapServers"] = cluster.BootstrapServers,
            ["controllerQuorum"] = cluster.ControllerQuorum,
            ["nodes"] = cluster.Nodes,
            ["vpcId"] = cluster.VpcId,
            ["imageId"] = image.Id,
            ["readiness"] = cluster.Readiness,
            ["topics"] = cluster.Topics,
            ["security"] = spec.Security.ToSettingValue(),
            ["caCertificate"] = cluster.CaCertificate,
            ["clientProperties"] = cluster.ClientProperties,
        };
    }

    /// <summary>Reads every kraft-infra key; all problems stop the program together, warnings go to Pulumi's log.</summary>
    private static ClusterSpec ReadSpec(Config config)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in Settings.All)
        {
            if (config.Get(setting.Key) is { } value)
                values[setting.Key] = value;
        }
        var result = ClusterSpecParser.Parse(values);
        foreach (var warning in result.Warnings)
            Log.Warn(warning);
        if (!result.Ok)
            throw new RunException(new ClusterSpecException(result.Errors).Message);
        return result.Spec!;
    }
}
