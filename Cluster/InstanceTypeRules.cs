namespace KraftInfra.Cluster;

/// <summary>What EC2 says about an instance type (DescribeInstanceTypes, through aws.ec2.getInstanceType).</summary>
/// <param name="EbsNvmeSupport">unsupported, supported or required.</param>
public sealed record InstanceTypeFacts(string InstanceType, IReadOnlyList<string> SupportedArchitectures, string EbsNvmeSupport);

/// <summary>
/// Instance types that EC2 would refuse to launch with the chosen image, or on which the boot
/// could never find its data volume: checked against EC2's own description of each type, before
/// any resource is created (a name-based guess would miss families such as a1).
/// </summary>
public static class InstanceTypeRules
{
    public static IReadOnlyList<string> Problems(ClusterSpec spec, IReadOnlyDictionary<string, InstanceTypeFacts> facts)
    {
        var problems = new List<string>();
        foreach (var (key, type) in new[] { (Settings.ControllerInstanceType, spec.ControllerInstanceType), (Settings.BrokerInstanceType, spec.BrokerInstanceType) })
        {
            if (!facts.TryGetValue(type, out var info)) continue;
            var refused = $"{Settings.Namespace}:{key}: \"{type}\" is not accepted; expected ";
            if (!info.SupportedArchitectures.Contains(spec.Architecture, StringComparer.Ordinal))
                problems.Add(refused + $"an instance type for {spec.Architecture} ({Settings.Namespace}:{Settings.Architecture}, the Ubuntu image's architecture): "
                             + $"EC2 describes {type} as {string.Join(", ", info.SupportedArchitectures)} only; "
                             + $"choose another type or set {Settings.Namespace}:{Settings.Architecture} to match.");
            if (info.EbsNvmeSupport == "unsupported")
                problems.Add(refused + "an instance type that attaches EBS volumes as NVMe devices, as every Nitro-based type does: "
                             + $"the boot finds the data volume by its NVMe id, and EC2 describes {type}'s EBS NVMe support as unsupported.");
        }
        return problems;
    }
}
