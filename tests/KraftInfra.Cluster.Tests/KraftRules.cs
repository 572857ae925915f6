namespace KraftInfra.Cluster.Tests;

/// <summary>
/// Kafka's KRaft start-up rules, as KafkaConfig.validateValues (Kafka 4.3) and the storage tool
/// enforce them, written as a checker over one node's properties. Each problem quotes the rule.
/// </summary>
public static class KraftRules
{
    public static List<string> Violations(IReadOnlyDictionary<string, string> p)
    {
        var problems = new List<string>();
        string Get(string key) => p.TryGetValue(key, out var v) ? v : "";

        var roles = Get("process.roles").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        if (roles.Count == 0 || roles.Any(r => r is not ("broker" or "controller")))
            problems.Add($"process.roles must be broker, controller or both, not '{Get("process.roles")}'");
        if (!int.TryParse(Get("node.id"), out var nodeId) || nodeId < 0)
            problems.Add("node.id is required and must be a non-negative integer");

        var voters = Get("controller.quorum.voters").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => v.Split('@', 2)).ToList();
        if (voters.Count == 0)
            problems.Add("controller.quorum.voters (or controller.quorum.bootstrap.servers) must name the controllers");
        foreach (var v in voters)
            if (v.Length != 2 || !int.TryParse(v[0], out _) || !v[1].Contains(':'))
                problems.Add($"controller.quorum.voters entry '{string.Join('@', v)}' is not id@host:port");
        var voterIds = voters.Where(v => v.Length == 2).Select(v => int.Parse(v[0])).ToList();
        if (voterIds.Count != voterIds.Distinct().Count())
            problems.Add("controller.quorum.voters names an id twice");

        var controllerNames = Get("controller.listener.names").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        if (controllerNames.Count == 0)
            problems.Add("controller.listener.names must contain at least one value");

        var listeners = Listeners(Get("listeners"));
        var advertised = Listeners(Get("advertised.listeners"));
        var protocolMap = Get("listener.security.protocol.map").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split(':', 2)).ToDictionary(e => e[0], e => e.Length > 1 ? e[1] : "");
        string[] protocols = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];
        foreach (var name in listeners.Select(l => l.Name).Concat(controllerNames).Concat(advertised.Select(a => a.Name)).Distinct())
            if (!protocolMap.ContainsKey(name) && !protocols.Contains(name))
                problems.Add($"listener.security.protocol.map: No security protocol defined for listener {name}");
        foreach (var protocol in protocolMap.Values)
            if (!protocols.Contains(protocol))
                problems.Add($"listener.security.protocol.map maps to unknown protocol {protocol}");
        if (listeners.Select(l => l.Port).Distinct().Count() != listeners.Count)
            problems.Add("listeners: each listener needs its own port");
        if (advertised.Any(a => a.Host is "0.0.0.0" or ""))
            problems.Add("advertised.listeners cannot use the nonroutable meta-address 0.0.0.0");

        if (roles.SetEquals(["controller"]))
        {
            if (!voterIds.Contains(nodeId))
                problems.Add($"If process.roles contains the 'controller' role, the node id {nodeId} must be included in the set of voters");
            if (listeners.Count == 0 || listeners.Any(l => !controllerNames.Contains(l.Name)))
                problems.Add("The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller");
        }
        if (roles.SetEquals(["broker"]))
        {
            if (voterIds.Contains(nodeId))
                problems.Add($"If process.roles contains just the 'broker' role, the node id {nodeId} must not be included in the set of voters");
            if (listeners.Any(l => controllerNames.Contains(l.Name)))
                problems.Add("controller.listener.names must not contain a value appearing in the 'listeners' configuration when running KRaft with just the broker role");
            var brokerAdvertised = (advertised.Count > 0 ? advertised : listeners).Select(l => l.Name).ToList();
            if (brokerAdvertised.Any(controllerNames.Contains))
                problems.Add("The advertised.listeners config must not contain KRaft controller listeners from controller.listener.names when process.roles contains the broker role");
            var interBroker = p.TryGetValue("inter.broker.listener.name", out var ibl) ? ibl : "PLAINTEXT";
            if (!brokerAdvertised.Contains(interBroker))
                problems.Add("inter.broker.listener.name must be a listener name defined in advertised.listeners");
        }

        if (Get("log.dirs").Length == 0 && Get("log.dir").Length == 0)
            problems.Add("log.dirs must be set (Kafka's default is under /tmp)");
        return problems;
    }

    public static List<(string Name, string Host, int Port)> Listeners(string value) => value
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(l =>
        {
            var parts = l.Split("://", 2);
            var hostPort = parts.Length == 2 ? parts[1] : "";
            var colon = hostPort.LastIndexOf(':');
            return (parts[0], colon < 0 ? hostPort : hostPort[..colon], colon < 0 ? -1 : int.Parse(hostPort[(colon + 1)..]));
        })
        .ToList();
}
