using System.Globalization;

namespace KraftInfra.Cluster;

/// <summary>One inbound TCP rule of the cluster's security group.</summary>
/// <param name="Name">A short name, unique in the cluster, used in the rule's resource name.</param>
/// <param name="FromCluster">True: the source is the security group itself (the nodes); false: <paramref name="Cidr"/>.</param>
public sealed record IngressRule(string Name, int Port, bool FromCluster, string? Cidr, string Description);

/// <summary>
/// What the nodes' security group lets in, and nothing more: the controller port only from the
/// nodes themselves, the client port from the nodes and the configured client networks, and SSH
/// only when both an SSH source and a key are configured. Every egress is allowed (apt, Apache's
/// download sites, SSM).
/// </summary>
public static class FirewallPlan
{
    public const int SshPort = 22;

    public static IReadOnlyList<IngressRule> Ingress(ClusterSpec spec)
    {
        var rules = new List<IngressRule>
        {
            new("controller-from-cluster", spec.ControllerPort, true, null, "KRaft controller listener, from the cluster's nodes only"),
            new("client-from-cluster", spec.ClientPort, true, null, "Kafka client and inter-broker listener, from the cluster's nodes"),
        };
        rules.AddRange(spec.ClientCidrs.Select(cidr => new IngressRule(
            $"client-from-{Slug(cidr.ToString())}", spec.ClientPort, false, cidr.ToString(), $"Kafka clients from {cidr} (clientCidrs)")));
        if (spec.SshEnabled)
            rules.Add(new IngressRule($"ssh-from-{Slug(spec.SshCidr)}", SshPort, false, spec.SshCidr, $"SSH from {spec.SshCidr} (sshCidr)"));
        return rules;
    }

    private static string Slug(string cidr) => cidr.Replace('.', '-').Replace('/', '-').ToString(CultureInfo.InvariantCulture);
}
