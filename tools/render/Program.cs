using System.Globalization;
using System.Text;
using KraftInfra.Cluster;
using KraftInfra.Render;

// Writes every node's EC2 user data exactly as the node would receive it, with no cloud access:
//   dotnet run --project tools/render -- [--stack Pulumi.dev.yaml] [--cluster-id UUID] --out DIR
// Only what the cloud decides gets a placeholder: volume ids, zone names and (unless given) the
// cluster id. Everything else is byte for byte what `pulumi up` would hand EC2.

const string PlaceholderClusterUuid = "00000000-0000-4000-8000-000000000000";

string? stackPath = null, clusterUuid = null, outDir = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--stack": stackPath = Next(); break;
        case "--cluster-id": clusterUuid = Next(); break;
        case "--out": outDir = Next(); break;
        case "-h" or "--help":
            Console.WriteLine("usage: render [--stack Pulumi.<stack>.yaml] [--cluster-id UUID] --out DIR");
            return 0;
        default:
            Console.Error.WriteLine($"render: unknown argument {args[i]}; usage: render [--stack FILE] [--cluster-id UUID] --out DIR");
            return 2;
    }
}
if (outDir is null)
{
    Console.Error.WriteLine("render: --out DIR is required");
    return 2;
}

var stack = stackPath is null ? new StackFile(new Dictionary<string, string>(), [], null) : StackFile.Load(stackPath);
foreach (var key in stack.SecureKeys)
    Console.Error.WriteLine($"render: {key} is a secure (encrypted) value; render does not decrypt secrets, so the default is used");

var result = ClusterSpecParser.Parse(stack.Values);
foreach (var warning in result.Warnings)
    Console.Error.WriteLine($"render: warning: {warning}");
if (!result.Ok)
{
    Console.Error.WriteLine(new ClusterSpecException(result.Errors).Message);
    return 1;
}
var spec = result.Spec!;
var topology = Topology.Plan(spec);

var uuid = clusterUuid ?? PlaceholderClusterUuid;
string kafkaId;
try
{
    kafkaId = KafkaClusterId.FromUuid(uuid);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"render: --cluster-id: {e.Message}");
    return 2;
}

Directory.CreateDirectory(outDir);
var summary = new StringBuilder();
summary.AppendLine(CultureInfo.InvariantCulture, $"kraft-infra topology of cluster '{spec.ClusterName}' ({(stackPath is null ? "defaults" : stackPath)})");
summary.AppendLine(CultureInfo.InvariantCulture, $"Kafka {spec.KafkaVersion}, {spec.ControllerCount} controllers, {spec.BrokerCount} brokers, VPC {spec.VpcCidr}");
summary.AppendLine(CultureInfo.InvariantCulture, $"cluster id: {kafkaId} (from UUID {uuid}{(clusterUuid is null ? ", a PLACEHOLDER: pulumi up uses a RandomUuid" : "")})");
summary.AppendLine(CultureInfo.InvariantCulture, $"controller.quorum.voters={topology.QuorumVoters}");
summary.AppendLine(CultureInfo.InvariantCulture, $"bootstrap.servers={topology.BootstrapServers(spec)}");
summary.AppendLine("PLACEHOLDERS (known only in the cloud): data volume ids vol-000...<node id>, zone names zone<slot>-placeholder");
using var certificates = spec.ScramTls ? new StandInCertificates(spec.ClusterName) : null;
if (certificates is not null)
    summary.AppendLine("PLACEHOLDERS (security = scram-tls): a throwaway CA and node certificates made by render; pulumi up issues the real ones. "
                       + "The node's key and the admin password are read from Parameter Store at boot, so a rendered node stops there without AWS.");
summary.AppendLine();
summary.AppendLine("node                      id  role        zone  private ip      subnet           user data");
foreach (var node in topology.Nodes)
{
    var facts = new NodeCloudFacts(uuid, PlaceholderVolumeId(node), $"zone{node.ZoneSlot}-placeholder",
        certificates?.Issue(node).CertificatePem, certificates?.CaCertificatePem);
    var userData = NodeUserData.Render(spec, topology, node, facts);
    var file = Path.Combine(outDir, node.Name + ".userdata");
    File.WriteAllBytes(file, userData.Bytes);
    summary.AppendLine(CultureInfo.InvariantCulture,
        $"{node.Name,-24} {node.NodeId,4}  {node.Role.ToKafkaName(),-10}  {node.ZoneSlot,4}  {node.PrivateIp,-14}  {node.SubnetCidr,-15}  {userData.Bytes.Length} bytes{(userData.Gzipped ? " (gzip)" : "")}");
}
File.WriteAllText(Path.Combine(outDir, "topology.txt"), summary.ToString());
Console.Write(summary.ToString());
Console.WriteLine($"wrote {topology.Nodes.Count} user-data files and topology.txt to {outDir}");
return 0;

// vol- and 17 hex digits, like a real id; the node id in the last digits keeps them apart.
static string PlaceholderVolumeId(KafkaNodePlan node) => "vol-" + node.NodeId.ToString("x17", CultureInfo.InvariantCulture);
