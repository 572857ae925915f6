namespace KraftInfra.Cluster.Tests;

/// <summary>
/// The clientProperties output's files, read back by java.util.Properties, which is what a Kafka
/// client's --producer.config / --command-config loads them with.
/// </summary>
public sealed class ClientPropertiesTests : IDisposable
{
    private readonly ExternalTool.TempDir _dir = new();

    /// <summary>Every key and value as Properties.load reads them, one per line, the value's line breaks shown as \n.</summary>
    private Dictionary<string, string> LoadWithJava(string properties)
    {
        ExternalTool.Require("javac", "openjdk-17-jdk-headless");
        _dir.Write("java/Load.java", """
            import java.io.FileReader;
            import java.util.Properties;
            public class Load {
              public static void main(String[] a) throws Exception {
                Properties p = new Properties();
                try (FileReader r = new FileReader(a[0], java.nio.charset.StandardCharsets.UTF_8)) { p.load(r); }
                for (String k : p.stringPropertyNames()) System.out.println(k + "\t" + p.getProperty(k).replace("\\", "\\\\").replace("\n", "\\n"));
              }
            }
            """);
        var compiled = ExternalTool.Run("javac", ["-d", _dir.Combine("java"), _dir.Combine("java", "Load.java")]);
        Assert.True(compiled.ExitCode == 0, compiled.Output);
        var file = _dir.Write("client.properties", properties);
        var result = ExternalTool.Run("java", ["-cp", _dir.Combine("java"), "Load", file]);
        Assert.True(result.ExitCode == 0, result.Output);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t', 2))
            .ToDictionary(p => p[0], p => p[1].Replace("\\n", "\n").Replace("\\\\", "\\"));
    }

    [Fact]
    public void A_users_file_reads_back_as_sasl_ssl_scram_with_its_credentials_and_the_ca_inline()
    {
        const string password = "p4ss=w:rd#with!odd'chars`$";
        var ca = Clusters.Certificates.CaCertificatePem;

        var loaded = LoadWithJava(ClusterSecurity.ClientProperties("orders-app", password, ca, "10.42.0.30:9092,10.42.16.30:9092"));

        Assert.Equal(["bootstrap.servers", "sasl.jaas.config", "sasl.mechanism", "security.protocol", "ssl.truststore.certificates", "ssl.truststore.type"],
            loaded.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("10.42.0.30:9092,10.42.16.30:9092", loaded["bootstrap.servers"]);
        Assert.Equal("SASL_SSL", loaded["security.protocol"]);
        Assert.Equal("SCRAM-SHA-512", loaded["sasl.mechanism"]);
        Assert.Equal($"org.apache.kafka.common.security.scram.ScramLoginModule required username=\"orders-app\" password=\"{password}\";", loaded["sasl.jaas.config"]);
        Assert.Equal("PEM", loaded["ssl.truststore.type"]);
        Assert.Equal(ca.Trim() + "\n", loaded["ssl.truststore.certificates"]);
    }

    public void Dispose() => _dir.Dispose();
}
