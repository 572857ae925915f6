using System.Security.Cryptography;
using System.Text;

namespace KraftInfra.Cluster;

/// <summary>
/// A hash of what a node runs, from the spec alone: its user data (rendered with the values only
/// the cloud knows held fixed: the cluster id and the data volume never change for a node) and its
/// instance type. It changes exactly when the node is replaced or restarted by a change, so a gate
/// keyed on it runs again only then. The image is left out: an existing node keeps its image.
/// </summary>
public static class NodeFingerprint
{
    private const string FixedUuid = "00000000-0000-4000-8000-000000000000";

    /// <summary>
    /// Certificates are issued in the cloud run and renewed on their own schedule; held fixed here
    /// like the cluster id. A renewed certificate still replaces its node (the user data changes)
    /// and the node's gate still runs (it is keyed on the instance id too).
    /// </summary>
    private const string FixedCertificate = "-----BEGIN CERTIFICATE-----\nissued by pulumi up\n-----END CERTIFICATE-----\n";

    public static string Of(ClusterSpec spec, ClusterTopology topology, KafkaNodePlan node, string zoneName)
    {
        var certificate = spec.ScramTls ? FixedCertificate : null;
        var facts = new NodeCloudFacts(FixedUuid, "vol-" + node.NodeId.ToString("D17", System.Globalization.CultureInfo.InvariantCulture), zoneName,
            certificate, certificate);
        var document = NodeUserData.Render(spec, topology, node, facts).Document;
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(document + "\ninstance-type=" + spec.InstanceType(node.Role)));
        return Convert.ToHexStringLower(bytes);
    }
}
