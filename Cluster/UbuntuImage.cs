namespace KraftInfra.Cluster;

/// <summary>
/// How to find Canonical's Ubuntu 24.04 LTS (noble) server image for EC2. Canonical publishes
/// its official images from this AWS account and names them by this pattern
/// (Canonical's "Find Ubuntu images on AWS" documentation); the newest match is taken at deploy time.
/// </summary>
public static class UbuntuImage
{
    /// <summary>Canonical's AWS account in the standard partition.</summary>
    public const string CanonicalOwnerId = "099720109477";

    /// <summary>The image name pattern for the spec's architecture (x86_64 images are named amd64).</summary>
    public static string NamePattern(string architecture) =>
        $"ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-{UbuntuArchitecture(architecture)}-server-*";

    private static string UbuntuArchitecture(string architecture) => architecture switch
    {
        "x86_64" => "amd64",
        "arm64" => "arm64",
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "x86_64 or arm64"),
    };
}
