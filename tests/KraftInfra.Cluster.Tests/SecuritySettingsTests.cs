namespace KraftInfra.Cluster.Tests;

/// <summary>The security, users and userPasswords settings as the parser reads them, and the refusal to switch a running cluster's security.</summary>
public class SecuritySettingsTests
{
    private static SpecResult Parse(params (string Key, string Value)[] settings) =>
        ClusterSpecParser.Parse(settings.ToDictionary(s => s.Key, s => s.Value));

    private const string OrdersApp = """[{"name": "orders-app", "acls": [{"resource": "topic", "name": "orders", "operations": ["Read", "Write"]}]}]""";

    [Fact]
    public void A_new_stack_is_scram_tls_without_warning_and_plaintext_is_kept_with_one()
    {
        var byDefault = Parse();
        Assert.True(byDefault.Ok, string.Join("\n", byDefault.Errors));
        Assert.Equal(SecurityMode.ScramTls, byDefault.Spec!.Security);
        Assert.False(byDefault.Spec.SecurityGiven);
        Assert.DoesNotContain(byDefault.Warnings, w => w.Contains("PLAINTEXT"));

        var plaintext = Parse((Settings.Security, "plaintext"));
        Assert.True(plaintext.Ok, string.Join("\n", plaintext.Errors));
        Assert.Equal(SecurityMode.Plaintext, plaintext.Spec!.Security);
        Assert.True(plaintext.Spec.SecurityGiven);
        var warning = Assert.Single(plaintext.Warnings, w => w.Contains("kraft-infra:security"));
        Assert.Contains("without authentication", warning);
    }

    [Theory]
    [InlineData("SCRAM-TLS")]
    [InlineData("tls")]
    [InlineData("")]
    public void An_unknown_security_mode_names_the_key_the_value_and_both_modes(string value)
    {
        var result = Parse((Settings.Security, value));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("kraft-infra:security", error);
        Assert.Contains($"\"{value}\"", error);
        Assert.Contains("scram-tls", error);
        Assert.Contains("plaintext", error);
        Assert.Null(result.Spec);
    }

    [Fact]
    public void Declared_users_are_read_with_their_acls_and_the_literal_pattern_by_default()
    {
        var result = Parse((Settings.Users, """
            [{"name": "orders-app", "acls": [
                {"resource": "topic", "name": "orders", "operations": ["Read", "Write", "Read"]},
                {"resource": "group", "name": "orders-", "pattern": "prefixed", "operations": ["Read"]},
                {"resource": "cluster", "operations": ["IdempotentWrite"]}]},
             {"name": "audit.reader_2"}]
            """));

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var users = result.Spec!.Users;
        Assert.Equal(["orders-app", "audit.reader_2"], users.Select(u => u.Name));
        Assert.Equal(
            ["topic|orders|literal|Read,Write", "group|orders-|prefixed|Read", "cluster|kafka-cluster|literal|IdempotentWrite"],
            users[0].Acls.Select(a => $"{a.ResourceType}|{a.ResourceName}|{a.PatternType}|{string.Join(",", a.Operations)}"));
        Assert.Equal(["Read", "Write"], users[0].Acls[0].Operations);
        Assert.Equal("prefixed", users[0].Acls[1].PatternType);
        Assert.Equal("kafka-cluster", users[0].Acls[2].ResourceName);
        Assert.Empty(users[1].Acls);
    }

    public static TheoryData<string, string, string> BadUsers => new()
    {
        { "{\"name\": \"a\"}", "kraft-infra:users", "a list of {name, acls}" },
        { "[\"orders-app\"]", "kraft-infra:users[0]", "a list of {name, acls}" },
        { "[{\"acls\": []}]", "kraft-infra:users[0]", "a name for each user" },
        { "[{\"name\": \"admin\"}]", "kraft-infra:users[0].name", "the cluster's own super user" },
        { "[{\"name\": \"User:x\"}]", "kraft-infra:users[0].name", "1 to 64 letters" },
        { "[{\"name\": \"-x\"}]", "kraft-infra:users[0].name", "starting with a letter or digit" },
        { "[{\"name\": \"ax\", \"role\": \"r\"}]", "kraft-infra:users[0].role", "only the fields name and acls" },
        { "[{\"name\": \"a\"}, {\"name\": \"a\"}]", "kraft-infra:users[1].name", "each user is declared once" },
        { "[{\"name\": \"a\", \"acls\": {}}]", "kraft-infra:users[0].acls", "a list of {resource, name, pattern, operations}" },
        { "[{\"name\": \"a\", \"acls\": [{\"resource\": \"queue\", \"name\": \"q\", \"operations\": [\"Read\"]}]}]", "kraft-infra:users[0].acls[0].resource", "one of topic, group, cluster, transactional-id" },
        { "[{\"name\": \"a\", \"acls\": [{\"name\": \"q\", \"operations\": [\"Read\"]}]}]", "kraft-infra:users[0].acls[0]", "a resource for each ACL" },
        { "[{\"name\": \"a\", \"acls\": [{\"resource\": \"topic\", \"operations\": [\"Read\"]}]}]", "kraft-infra:users[0].acls[0]", "a name for the topic ACL" },
        { "[{\"name\": \"a\", \"acls\": [{\"resource\": \"topic\", \"name\": \"\", \"operations\": [\"Read\"]}]}]", "kraft-infra:users[0].acls[0].name", "1 to 249 characters" },
        { "[{\"name\": \"a\", \"acls\": [{\"resource\": \"topic\", \"name\": \"o\", \"pattern\": \"match\", \"operations\": [\"Read\"]}]}]", "kraft-infra:users[0].acls[0].pattern", "literal or prefixed" },
        { "[{\"name\": \"a\", \"acls\": [{\"resource\": \"topic\", \"name\": \"*\", \"pattern\": \"prefixed\", \"operations\": [\"Read\"]}]}]", "kraft-infra:users[0].acls[0].pattern", "Kafka refuses a prefixed wildcard" },
        { "[{\"name\": \"a\", \"acls\": [{\"resource\": \"topic\", \"name\": \"o\", \"operations\": []}]}]", "kraft-infra:users[0].acls[0].operations", "a non-empty list of operation names" },
        { "[{\"name\": \"a\", \"acls\": [{\"resource\": \"group\", \"name\": \"g\", \"operations\": [\"Write\", \"Read\", \"read\"]}]}]", "kraft-infra:users[0].acls[0].operations", "operations a group takes: All, Read, Describe, Delete" },
        { "[{\"name\": \"a\", \"acls\": [{\"resource\": \"cluster\", \"name\": \"prod\", \"operations\": [\"Alter\"]}]}]", "kraft-infra:users[0].acls[0]", "no name (or kafka-cluster) and the literal pattern" },
        { "[{\"name\": \"a\", \"acls\": [{\"resource\": \"topic\", \"name\": \"o\", \"operations\": [\"Read\"], \"host\": \"*\"}]}]", "kraft-infra:users[0].acls[0].host", "only the fields resource, name, pattern and operations" },
    };

    [Theory]
    [MemberData(nameof(BadUsers))]
    public void A_bad_user_declaration_names_where_it_is_and_what_is_accepted(string users, string at, string accepted)
    {
        var result = Parse((Settings.Users, users));

        Assert.Null(result.Spec);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith(at + ":", error);
        Assert.Contains(accepted, error);
    }

    [Fact]
    public void Operations_a_resource_does_not_take_are_listed_together_by_name()
    {
        var result = Parse((Settings.Users, "[{\"name\": \"a\", \"acls\": [{\"resource\": \"group\", \"name\": \"g\", \"operations\": [\"Write\", \"Read\", \"read\"]}]}]"));

        var error = Assert.Single(result.Errors);
        Assert.Contains("\"Write, read\"", error);
    }

    [Fact]
    public void Users_with_plaintext_are_refused_because_a_plaintext_listener_authenticates_no_one()
    {
        var result = Parse((Settings.Security, "plaintext"), (Settings.Users, OrdersApp));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("kraft-infra:users:", error);
        Assert.Contains("authenticates no one", error);
        Assert.Contains("scram-tls", error);
    }

    [Fact]
    public void A_given_password_is_kept_secret_in_the_spec()
    {
        const string password = "correct-horse-battery-staple-42";
        var result = Parse((Settings.Users, OrdersApp), (Settings.UserPasswords, $"{{\"orders-app\": \"{password}\"}}"));

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var given = Assert.Single(result.Spec!.UserPasswords);
        Assert.Equal("orders-app", given.Key);
        Assert.Equal(password, given.Value.Reveal());
        Assert.Equal("[secret]", given.Value.ToString());
        Assert.DoesNotContain(password, $"{given.Value}");
    }

    public static TheoryData<string, string> BadPasswords => new()
    {
        { "short-but-s3cr3t", "" }, // 16 characters: accepted, checked below as the boundary
        { "fifteen-chars-x", "at least 16 characters (this one has 15)" },
        { new string('k', 129), "at most 128 characters (this one has 129)" },
        { "has a space in the middle", "printable ASCII characters other than space" },
        { "has\\\"a-quote-in-the-middle", "printable ASCII characters other than space" },
        { "has\\\\a-backslash-in-it", "printable ASCII characters other than space" },
        { "kein-ASCII-passwört-hier", "printable ASCII characters other than space" },
    };

    [Theory]
    [MemberData(nameof(BadPasswords))]
    public void A_bad_password_names_the_user_and_the_rule_but_never_shows_the_password(string password, string rule)
    {
        var json = "{\"orders-app\": \"" + password + "\"}";
        var result = Parse((Settings.Users, OrdersApp), (Settings.UserPasswords, json));

        if (rule.Length == 0)
        {
            Assert.True(result.Ok, string.Join("\n", result.Errors));
            return;
        }
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("kraft-infra:userPasswords.orders-app:", error);
        Assert.Contains("not shown: it is secret", error);
        Assert.Contains(rule, error);
        var shown = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("orders-app").GetString()!;
        Assert.DoesNotContain(shown, error);
        Assert.DoesNotContain(shown[..10], error);
    }

    [Fact]
    public void Passwords_for_undeclared_users_or_not_text_are_refused_without_showing_them()
    {
        var result = Parse((Settings.Users, OrdersApp),
            (Settings.UserPasswords, "{\"billing\": \"billing-password-1234\", \"orders-app\": 1234567890123456789}"));

        Assert.Null(result.Spec);
        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.StartsWith("kraft-infra:userPasswords:") && e.Contains("\"billing\"") && e.Contains("declared: orders-app"));
        Assert.Contains(result.Errors, e => e.StartsWith("kraft-infra:userPasswords.orders-app:") && e.Contains("expected a text password"));
        Assert.DoesNotContain(result.Errors, e => e.Contains("billing-password-1234") || e.Contains("1234567890123456789"));

        var notAnObject = Parse((Settings.UserPasswords, "[\"top-secret-value-000\"]"));
        var error = Assert.Single(notAnObject.Errors);
        Assert.StartsWith("kraft-infra:userPasswords:", error);
        Assert.DoesNotContain("top-secret-value-000", error);
        Assert.Contains("pulumi config set --secret --path", error);
    }

    [Fact]
    public void Every_security_problem_is_reported_at_once_with_the_others()
    {
        var result = Parse(
            (Settings.Security, "tls"),
            (Settings.Users, "[{\"name\": \"admin\"}, {\"name\": \"a\", \"acls\": [{\"resource\": \"queue\", \"name\": \"q\", \"operations\": [\"Read\"]}]}]"),
            (Settings.UserPasswords, "{\"ghost\": \"ghost-password-12345\"}"),
            (Settings.BrokerCount, "0"));

        Assert.Null(result.Spec);
        Assert.Contains(result.Errors, e => e.StartsWith("kraft-infra:security:"));
        Assert.Contains(result.Errors, e => e.StartsWith("kraft-infra:users[0].name:"));
        Assert.Contains(result.Errors, e => e.StartsWith("kraft-infra:users[1].acls[0].resource:"));
        Assert.Contains(result.Errors, e => e.StartsWith("kraft-infra:userPasswords:") && e.Contains("\"ghost\""));
        Assert.Contains(result.Errors, e => e.StartsWith("kraft-infra:brokerCount:"));
    }

    [Fact]
    public void Users_declared_without_waiting_for_the_cluster_are_warned_about()
    {
        var result = Parse((Settings.Users, OrdersApp), (Settings.WaitForReady, "false"));

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Contains(result.Warnings, w => w.StartsWith("kraft-infra:users: 1 user(s) declared") && w.Contains("kraft-infra:waitForReady is false"));
        Assert.DoesNotContain(Parse((Settings.Users, OrdersApp)).Warnings, w => w.StartsWith("kraft-infra:users:"));
    }

    [Fact]
    public void A_new_cluster_may_take_either_mode()
    {
        Assert.Empty(SecurityTransition.Problems(Clusters.Spec(), clusterExists: false, runningTag: null));
        Assert.Empty(SecurityTransition.Problems(Clusters.Spec((Settings.Security, "plaintext")), clusterExists: false, runningTag: null));
    }

    [Fact]
    public void A_running_cluster_keeps_its_mode_and_untagged_nodes_count_as_plaintext()
    {
        Assert.Empty(SecurityTransition.Problems(Clusters.Spec(), true, "scram-tls"));
        Assert.Empty(SecurityTransition.Problems(Clusters.Spec((Settings.Security, "plaintext")), true, "plaintext"));
        Assert.Empty(SecurityTransition.Problems(Clusters.Spec((Settings.Security, "plaintext")), true, null));
    }

    [Fact]
    public void Asking_a_running_plaintext_cluster_for_scram_tls_is_refused_naming_the_key_and_the_way()
    {
        var problem = Assert.Single(SecurityTransition.Problems(Clusters.Spec((Settings.Security, "scram-tls")), true, "plaintext"));

        Assert.StartsWith("kraft-infra:security: \"scram-tls\" is not accepted", problem);
        Assert.Contains("whose nodes run plaintext", problem);
        Assert.Contains("new stack", problem);
        Assert.Contains("Moving a plaintext cluster to scram-tls", problem);

        var back = Assert.Single(SecurityTransition.Problems(Clusters.Spec((Settings.Security, "plaintext")), true, "scram-tls"));
        Assert.StartsWith("kraft-infra:security: \"plaintext\" is not accepted", back);
        Assert.Contains("whose nodes run scram-tls", back);
    }

    [Fact]
    public void An_upgraded_stack_that_never_set_security_is_told_how_to_keep_plaintext()
    {
        // Nodes made before the setting existed carry no security tag: they run plaintext.
        var problem = Assert.Single(SecurityTransition.Problems(Clusters.Spec(), true, null));

        Assert.StartsWith("kraft-infra:security: not set", problem);
        Assert.Contains("(its nodes predate the setting)", problem);
        Assert.Contains("`pulumi config set kraft-infra:security plaintext`", problem);
    }
}
