namespace KraftInfra.Cluster.Tests;

/// <summary>
/// User data is readable by anyone with ec2:DescribeInstanceAttribute: a scram-tls node's carries
/// certificates and Parameter Store names, never a key or a password.
/// </summary>
public class UserDataSecretsTests
{
    [Fact]
    public void A_scram_tls_nodes_user_data_names_its_parameters_and_carries_only_certificates()
    {
        var spec = Clusters.Spec((Settings.ClusterName, "shop"));
        foreach (var (node, userData) in Clusters.Render(spec))
        {
            var document = Clusters.Unpack(userData.Bytes);
            var files = Clusters.Files(document);
            var environment = files[NodeEnvironment.Path].Content;

            Assert.Contains("SECURITY='scram-tls'", environment);
            Assert.Contains("ADMIN_PASSWORD_PARAMETER='/kraft-infra/shop/admin-password'", environment);
            Assert.Contains($"TLS_KEY_PARAMETER='/kraft-infra/shop/nodes/{node.Name}/tls-key'", environment);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", files[ClusterSecurity.CaCertificatePath].Content);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", files[ClusterSecurity.NodeCertificatePath].Content);
            Assert.Contains("/usr/local/lib/kraft-infra/secure-node.sh", files.Keys);
            // A key block: the marker then base64 (secure-node.sh names the marker in its check).
            Assert.DoesNotMatch(@"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*\n[A-Za-z0-9+/=]{16,}", document);
            Assert.All(files.Values, f => Assert.DoesNotMatch(@"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*\n[A-Za-z0-9+/=]{16,}", f.Content));
            Assert.DoesNotContain(files.Keys, p => p.StartsWith(ClusterSecurity.SecretsDirectory, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_plaintext_nodes_user_data_has_no_security_files()
    {
        foreach (var (_, userData) in Clusters.Render(Clusters.Spec((Settings.Security, "plaintext"))))
        {
            var files = Clusters.Files(Clusters.Unpack(userData.Bytes));
            Assert.DoesNotContain("SECURITY=", files[NodeEnvironment.Path].Content);
            Assert.DoesNotContain(ClusterSecurity.CaCertificatePath, files.Keys);
            Assert.DoesNotContain("/usr/local/lib/kraft-infra/secure-node.sh", files.Keys);
        }
    }

    [Fact]
    public void Cloud_facts_refuse_anything_but_a_certificate_so_a_key_cannot_reach_the_user_data()
    {
        var node = Topology.Plan(Clusters.Spec()).Nodes[0];
        var (certificate, key) = Clusters.Certificates.Issue(node);
        var facts = Clusters.Facts(node);

        Assert.Throws<ArgumentException>(() => new NodeCloudFacts(facts.ClusterUuid, facts.DataVolumeId, facts.ZoneName, key, Clusters.Certificates.CaCertificatePem));
        Assert.Throws<ArgumentException>(() => new NodeCloudFacts(facts.ClusterUuid, facts.DataVolumeId, facts.ZoneName, certificate + key, Clusters.Certificates.CaCertificatePem));
        Assert.Throws<ArgumentException>(() => new NodeCloudFacts(facts.ClusterUuid, facts.DataVolumeId, facts.ZoneName, certificate, key));
        Assert.Equal(certificate, new NodeCloudFacts(facts.ClusterUuid, facts.DataVolumeId, facts.ZoneName, certificate, Clusters.Certificates.CaCertificatePem).NodeCertificatePem);
    }

    [Fact]
    public void A_scram_tls_node_without_its_certificates_is_refused_rather_than_booted_without_tls()
    {
        var spec = Clusters.Spec();
        var topology = Topology.Plan(spec);
        var node = topology.Nodes[0];
        var facts = Clusters.Facts(node);

        var error = Assert.Throws<ArgumentException>(() => NodeUserData.Render(spec, topology, node, new NodeCloudFacts(facts.ClusterUuid, facts.DataVolumeId, facts.ZoneName)));
        Assert.Contains(node.Name, error.Message);
    }
}
