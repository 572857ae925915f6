using KraftInfra.Cluster;
using Pulumi;
using Pulumi.Aws.Ec2;
using Pulumi.Aws.Ec2.Inputs;
using Pulumi.Aws.Vpc;

namespace KraftInfra.Components;

public sealed class ClusterNetworkArgs
{
    public required ClusterSpec Spec { get; init; }
    public required ClusterTopology Topology { get; init; }

    /// <summary>The availability zone of each zone slot, in slot order.</summary>
    public required IReadOnlyList<string> ZoneNames { get; init; }
}

/// <summary>
/// The cluster's network: a VPC with DNS, one public subnet per zone slot (nodes download Java
/// and Kafka, and reach SSM, through the internet gateway), and the nodes' security group with
/// exactly the rules <see cref="FirewallPlan"/> lists.
/// </summary>
public sealed class ClusterNetwork : ComponentResource
{
    [Output("vpcId")]
    public Output<string> VpcId { get; }

    [Output("securityGroupId")]
    public Output<string> SecurityGroupId { get; }

    /// <summary>Subnet ids by zone slot.</summary>
    public IReadOnlyList<Output<string>> SubnetIds { get; }

    public ClusterNetwork(string name, ClusterNetworkArgs args, ComponentResourceOptions? options = null)
        : base("kraft-infra:index:ClusterNetwork", name, options)
    {
        var spec = args.Spec;
        var child = new CustomResourceOptions { Parent = this };

        var vpc = new Vpc($"{name}-vpc", new VpcArgs
        {
            CidrBlock = spec.VpcCidr.ToString(),
            EnableDnsSupport = true,
            EnableDnsHostnames = true,
            Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-vpc").ToInputMap(),
        }, child);

        var gateway = new InternetGateway($"{name}-igw", new InternetGatewayArgs
        {
            VpcId = vpc.Id,
            Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-igw").ToInputMap(),
        }, child);

        var routes = new RouteTable($"{name}-public", new RouteTableArgs
        {
            VpcId = vpc.Id,
            Routes = [new RouteTableRouteArgs { CidrBlock = "0.0.0.0/0", GatewayId = gateway.Id }],
            Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-public").ToInputMap(),
        }, child);

        var subnetIds = new List<Output<string>>();
        foreach (var zone in args.Topology.Zones)
        {
            var subnetName = $"{spec.ClusterName}-zone{zone.Slot}";
            var subnet = new Subnet($"{name}-zone{zone.Slot}", new SubnetArgs
            {
                VpcId = vpc.Id,
                CidrBlock = zone.SubnetCidr,
                AvailabilityZone = args.ZoneNames[zone.Slot],
                MapPublicIpOnLaunch = true,
                Tags = ResourceTags.ForCluster(spec, subnetName).ToInputMap(),
            }, child);
            _ = new RouteTableAssociation($"{name}-zone{zone.Slot}-public", new RouteTableAssociationArgs
            {
                SubnetId = subnet.Id,
                RouteTableId = routes.Id,
            }, child);
            subnetIds.Add(subnet.Id);
        }

        var group = new SecurityGroup($"{name}-nodes", new SecurityGroupArgs
        {
            VpcId = vpc.Id,
            Description = $"kraft-infra {spec.ClusterName}: Kafka nodes",
            Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-nodes").ToInputMap(),
        }, child);

        foreach (var rule in FirewallPlan.Ingress(spec))
        {
            var ruleArgs = new SecurityGroupIngressRuleArgs
            {
                SecurityGroupId = group.Id,
                IpProtocol = "tcp",
                FromPort = rule.Port,
                ToPort = rule.Port,
                Description = rule.Description,
                Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-{rule.Name}").ToInputMap(),
            };
            if (rule.FromCluster)
                ruleArgs.ReferencedSecurityGroupId = group.Id;
            else
                ruleArgs.CidrIpv4 = rule.Cidr!;
            _ = new SecurityGroupIngressRule($"{name}-{rule.Name}", ruleArgs, child);
        }

        // The provider removes the egress rule AWS adds to a new group; this puts "all out" back.
        _ = new SecurityGroupEgressRule($"{name}-all-egress", new SecurityGroupEgressRuleArgs
        {
            SecurityGroupId = group.Id,
            IpProtocol = "-1",
            CidrIpv4 = "0.0.0.0/0",
            Description = "All outbound: apt, Apache's download sites, SSM",
            Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-all-egress").ToInputMap(),
        }, child);

        VpcId = vpc.Id;
        SecurityGroupId = group.Id;
        SubnetIds = subnetIds;
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["vpcId"] = VpcId,
            ["securityGroupId"] = SecurityGroupId,
            ["subnetIds"] = Output.All(subnetIds),
        });
    }
}
