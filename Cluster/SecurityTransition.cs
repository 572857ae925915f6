namespace KraftInfra.Cluster;

/// <summary>
/// A running cluster keeps the security it was created with: moving its listeners between
/// plaintext and scram-tls can't roll one node at a time (a SASL_SSL controller and a PLAINTEXT
/// one can't form a quorum, and --add-scram only acts when a controller's storage is formatted
/// fresh). So a stack whose nodes run another mode than it asks for is refused before anything is
/// created, naming the key; nodes without a security tag predate the setting and run plaintext.
/// </summary>
public static class SecurityTransition
{
    /// <param name="runningTag">The security tag of one existing node, or null when it has none.</param>
    public static IReadOnlyList<string> Problems(ClusterSpec spec, bool clusterExists, string? runningTag)
    {
        if (!clusterExists) return [];
        var running = runningTag is not null && ClusterSecurity.TryParse(runningTag, out var mode) ? mode : SecurityMode.Plaintext;
        if (running == spec.Security) return [];
        var key = Settings.Get(Settings.Security).QualifiedKey;
        var now = running.ToSettingValue();
        var wanted = spec.Security.ToSettingValue();
        var why = runningTag is null ? " (its nodes predate the setting)" : "";
        return spec.SecurityGiven
            ? [$"{key}: \"{wanted}\" is not accepted for cluster {spec.ClusterName}, whose nodes run {now}{why}; a running cluster can't switch security in place. "
               + $"Keep {now}, or create a new stack with {wanted} and move the clients and data to it (README, \"Moving a plaintext cluster to scram-tls\")."]
            : [$"{key}: not set, and its default is now {wanted}, but cluster {spec.ClusterName}'s nodes run {now}{why}. Say which you want: "
               + $"`pulumi config set {key} {now}` keeps the cluster as it is; a new stack is the way to {wanted} (README, \"Moving a plaintext cluster to scram-tls\")."];
    }
}
