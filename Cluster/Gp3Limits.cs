using System.Globalization;

namespace KraftInfra.Cluster;

/// <summary>
/// What EC2 accepts for a gp3 volume (AWS's EC2 API reference, EbsBlockDevice and CreateVolume:
/// size 1 - 65,536 GiB, IOPS 3,000 - 80,000, throughput 125 - 2,000 MiB/s; the EBS user guide's
/// "General Purpose SSD volumes": at most 500 IOPS per GiB and 0.25 MiB/s per provisioned IOPS).
/// The included baseline (3,000 IOPS, 125 MiB/s) is given to every size, so the ratios bind only
/// above it. Checked at config time: EC2 would otherwise refuse the volume after the network exists.
/// </summary>
public static class Gp3Limits
{
    public const int MinSizeGiB = 1;
    public const int MaxSizeGiB = 65_536;
    public const int BaselineIops = 3_000;
    public const int MaxIops = 80_000;
    public const int MaxIopsPerGiB = 500;
    public const int BaselineThroughputMiBps = 125;
    public const int MaxThroughputMiBps = 2_000;

    /// <summary>0.25 MiB/s per provisioned IOPS, kept as a divisor to stay in whole numbers.</summary>
    public const int IopsPerMiBps = 4;

    /// <summary>The most IOPS a volume of this size may be given.</summary>
    public static int MaxIopsFor(int sizeGiB) =>
        (int)Math.Clamp((long)sizeGiB * MaxIopsPerGiB, BaselineIops, MaxIops);

    /// <summary>The most throughput a volume with these IOPS may be given.</summary>
    public static int MaxThroughputFor(int iops) =>
        Math.Clamp(iops / IopsPerMiBps, BaselineThroughputMiBps, MaxThroughputMiBps);

    /// <summary>The IOPS problem of one role's volume, naming its size setting; null when it fits.</summary>
    public static string? IopsProblem(string sizeKey, int sizeGiB, int iops)
    {
        var maxIops = MaxIopsFor(sizeGiB);
        if (iops <= maxIops) return null;
        return $"at most {maxIops} IOPS for the {sizeGiB} GiB volume of {Settings.Namespace}:{sizeKey} "
               + $"(gp3 allows {MaxIopsPerGiB} IOPS per GiB above its {BaselineIops} baseline); "
               + $"give that volume at least {(iops + MaxIopsPerGiB - 1) / MaxIopsPerGiB} GiB or lower the IOPS";
    }

    /// <summary>The throughput problem for the given IOPS; null when it fits.</summary>
    public static string? ThroughputProblem(int iops, int throughput)
    {
        var maxThroughput = MaxThroughputFor(iops);
        if (throughput <= maxThroughput) return null;
        return $"at most {maxThroughput} MiB/s with {Settings.Namespace}:{Settings.VolumeIops} = {iops} "
               + $"(gp3 allows 0.25 MiB/s per provisioned IOPS above its {BaselineThroughputMiBps} MiB/s baseline)"
               + (throughput <= MaxThroughputMiBps ? $"; raise the IOPS to at least {throughput * IopsPerMiBps} or lower the throughput" : "");
    }
}
