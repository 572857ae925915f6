namespace KraftInfra.Cluster;

/// <summary>A node's KRaft role: the value of its <c>process.roles</c>.</summary>
public enum NodeRole
{
    Controller,
    Broker,
}

public static class NodeRoleExtensions
{
    /// <summary>The role as Kafka spells it in <c>process.roles</c> (and as tags and names use it).</summary>
    public static string ToKafkaName(this NodeRole role) => role switch
    {
        NodeRole.Controller => "controller",
        NodeRole.Broker => "broker",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };
}
