namespace KraftInfra.Cluster;

/// <summary>
/// The outcome of reading a stack's settings: the spec when every value is acceptable, and
/// every problem found (not just the first), each naming the key, the value given and what is accepted.
/// </summary>
public sealed record SpecResult(ClusterSpec? Spec, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    public bool Ok => Spec is not null && Errors.Count == 0;

    /// <summary>The spec, or an exception whose message lists every error.</summary>
    public ClusterSpec GetSpecOrThrow() =>
        Ok ? Spec! : throw new ClusterSpecException(Errors);
}

/// <summary>Thrown when a stack's settings are not acceptable; the message lists every problem.</summary>
public sealed class ClusterSpecException(IReadOnlyList<string> errors)
    : Exception(FormatMessage(errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;

    private static string FormatMessage(IReadOnlyList<string> errors) =>
        $"kraft-infra configuration has {errors.Count} problem{(errors.Count == 1 ? "" : "s")}; nothing was created:"
        + string.Concat(errors.Select(e => $"{Environment.NewLine}  - {e}"));
}
