using System.Collections;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using KraftInfra.Cluster;
using Pulumi;

namespace KraftInfra.Tests;

/// <summary>
/// security = scram-tls as the stack registers it: which resources hold the secrets, that no other
/// resource's inputs (the instances' user data above all) carry one, and the outputs' secretness.
/// </summary>
public class SecurityStackTests
{
    private const string InstanceType = "aws:ec2/instance:Instance";
    private const string ParameterType = "aws:ssm/parameter:Parameter";
    private const string CommandType = "command:local:Command";

    private const string Users = """[{"name": "orders-app", "acls": [{"resource": "topic", "name": "orders", "operations": ["Read", "Write"]}]}, {"name": "audit"}]""";
    private const string GivenPassword = "given-orders-app-password-0042";

    private static string Text(object value) => Assert.IsType<string>(value);

    /// <summary>Every string inside an input value, user data decoded, as one text to search.</summary>
    private static string Flatten(object? value)
    {
        var text = new StringBuilder();
        void Walk(object? v)
        {
            switch (v)
            {
                case null: break;
                case string s: text.Append(s).Append('\n'); break;
                case IDictionary map:
                    foreach (DictionaryEntry entry in map)
                    {
                        if (entry.Key as string == "userDataBase64" && entry.Value is string data)
                            text.Append(KraftStackTests.UserData(ImmutableDictionary<string, object>.Empty.Add("userDataBase64", data))).Append('\n');
                        Walk(entry.Value);
                    }
                    break;
                case IEnumerable list: foreach (var item in list) Walk(item); break;
                default: text.Append(v).Append('\n'); break;
            }
        }
        Walk(value);
        return text.ToString();
    }

    /// <summary>The base64 body of a PEM block: what would give a key away even without its markers.</summary>
    private static string Body(string pem) => string.Concat(pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)));

    /// <summary>Every password the run saw (generated and given) and every private key's base64 body.</summary>
    private static List<string> SecretsOf(StackRun run) => run.Mocks.Passwords.Values.Append(GivenPassword)
        .Concat(run.Mocks.PrivateKeys.Values.SelectMany(forms => forms.Select(Body)))
        .ToList();

    [Fact]
    public async Task The_default_stack_runs_sasl_ssl_on_every_listener_and_tags_its_nodes_scram_tls()
    {
        var run = await StackRun.DeployAsync();

        foreach (var (name, instance) in run.Inputs(InstanceType))
        {
            var userData = KraftStackTests.UserData(instance);
            var map = userData.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("listener.security.protocol.map=", StringComparison.Ordinal));
            Assert.Contains("SASL_SSL", map);
            Assert.DoesNotContain("PLAINTEXT", map);
            Assert.Contains("SECURITY='scram-tls'", userData);
            Assert.Equal("scram-tls", Text(((IReadOnlyDictionary<string, object>)instance["tags"])[ResourceTags.SecurityTag]));
        }
        Assert.Equal("scram-tls", run.Outputs["security"]);
    }

    [Fact]
    public async Task Keys_and_passwords_are_securestring_parameters_encrypted_with_the_clusters_own_key()
    {
        var run = await StackRun.DeployAsync((Settings.Users, Users), (Settings.UserPasswords, $$"""{"orders-app": "{{GivenPassword}}"}"""));

        var key = Assert.Single(run.Inputs("aws:kms/key:Key"));
        Assert.Equal(true, key.Value["enableKeyRotation"]);
        var alias = Assert.Single(run.Inputs("aws:kms/alias:Alias")).Value;
        Assert.Equal("alias/kraft-infra/kraft", alias["name"]);

        var parameters = run.Inputs(ParameterType).Values.ToDictionary(p => Text(p["name"]));
        Assert.Equal(
            ["/kraft-infra/kraft/admin-password",
             "/kraft-infra/kraft/nodes/kraft-broker-1/tls-key", "/kraft-infra/kraft/nodes/kraft-broker-2/tls-key",
             "/kraft-infra/kraft/nodes/kraft-controller-1/tls-key", "/kraft-infra/kraft/nodes/kraft-controller-2/tls-key",
             "/kraft-infra/kraft/users/audit", "/kraft-infra/kraft/users/orders-app"],
            parameters.Keys.Order(StringComparer.Ordinal));
        var keyArn = Text(alias["targetKeyId"]);
        Assert.All(parameters.Values, p =>
        {
            Assert.Equal("SecureString", p["type"]);
            Assert.StartsWith("arn:aws:kms:eu-west-1:123456789012:key/", Text(p["keyId"]));
            Assert.EndsWith(keyArn, Text(p["keyId"]));
        });

        // Each node's parameter holds its own PKCS#8 key; the users' hold the given or generated password.
        foreach (var node in new[] { "kraft-controller-1", "kraft-controller-2", "kraft-broker-1", "kraft-broker-2" })
            Assert.Equal(run.Mocks.PrivateKeys[$"{node}-tls-key"][1], parameters[$"/kraft-infra/kraft/nodes/{node}/tls-key"]["value"]);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", Text(parameters["/kraft-infra/kraft/nodes/kraft-broker-1/tls-key"]["value"]));
        Assert.Equal(GivenPassword, parameters["/kraft-infra/kraft/users/orders-app"]["value"]);
        Assert.Equal(run.Mocks.Passwords.Single(p => p.Key.EndsWith("-user-audit", StringComparison.Ordinal)).Value, parameters["/kraft-infra/kraft/users/audit"]["value"]);
        Assert.Equal(run.Mocks.Passwords.Single(p => p.Key.EndsWith("-admin-password", StringComparison.Ordinal)).Value, parameters["/kraft-infra/kraft/admin-password"]["value"]);
        Assert.DoesNotContain(run.Mocks.Passwords.Keys, k => k.EndsWith("-user-orders-app", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_resource_but_the_parameters_and_the_tls_provider_holds_a_password_or_a_private_key()
    {
        var run = await StackRun.DeployAsync((Settings.Users, Users), (Settings.UserPasswords, $$"""{"orders-app": "{{GivenPassword}}"}"""));

        var secrets = SecretsOf(run);
        Assert.True(secrets.Count >= 3 + 5 * 2, $"only {secrets.Count} secrets seen");
        var checkedResources = 0;
        foreach (var (resource, inputs) in run.Mocks.Registered)
        {
            if (resource.StartsWith(ParameterType + "::", StringComparison.Ordinal) || resource.StartsWith("tls:", StringComparison.Ordinal))
                continue;
            var text = Flatten(inputs);
            foreach (var secret in secrets)
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{resource} holds a secret in its inputs");
            Assert.DoesNotMatch(@"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*\n[A-Za-z0-9+/=]{16,}", text);
            checkedResources++;
        }
        Assert.True(checkedResources > 30, $"only {checkedResources} resources checked");
    }

    /// <summary>An output's secretness and value, whatever its type (the stack's outputs are Output&lt;T&gt; of several T, or plain values).</summary>
    private static async Task<(bool Secret, object? Value)> ResolveAsync(object? output)
    {
        if (output is null || !output.GetType().IsGenericType || output.GetType().GetGenericTypeDefinition() != typeof(Output<>))
            return (false, output);
        var type = output.GetType().GetGenericArguments()[0];
        var secret = await (Task<bool>)typeof(Output).GetMethod(nameof(Output.IsSecretAsync))!.MakeGenericMethod(type).Invoke(null, [output])!;
        var task = (Task)typeof(StackRun).GetMethod(nameof(StackRun.Get))!.MakeGenericMethod(type).Invoke(null, [output])!;
        await task;
        return (secret, task.GetType().GetProperty("Result")!.GetValue(task));
    }

    [Fact]
    public async Task No_plain_stack_output_holds_a_password_or_a_private_key()
    {
        var run = await StackRun.DeployAsync((Settings.Users, Users), (Settings.UserPasswords, $$"""{"orders-app": "{{GivenPassword}}"}"""));
        var secrets = SecretsOf(run);

        var plain = new List<string>();
        foreach (var (name, output) in run.Outputs)
        {
            var (secret, value) = await ResolveAsync(output);
            if (secret) continue;
            plain.Add(name);
            var text = Flatten(value);
            Assert.All(secrets, s => Assert.False(text.Contains(s, StringComparison.Ordinal), $"output {name} holds a secret"));
        }
        // Everything but clientProperties is plain, and was searched.
        Assert.Equal(run.Outputs.Keys.Where(k => k != "clientProperties").Order(StringComparer.Ordinal), plain.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Each_nodes_user_data_carries_its_certificate_the_cas_and_only_the_names_of_its_secrets()
    {
        var run = await StackRun.DeployAsync();
        var certificates = run.Inputs("tls:index/locallySignedCert:LocallySignedCert");
        var ca = Assert.Single(run.Inputs("tls:index/selfSignedCert:SelfSignedCert"));

        Assert.Equal("kraft-secrets-ca", ca.Key);
        var caBody = Body(await IssuedAsync(run, ca.Key));
        foreach (var (name, instance) in run.Inputs(InstanceType))
        {
            var node = name[..^"-instance".Length];
            var userData = KraftStackTests.UserData(instance);
            Assert.Contains($"TLS_KEY_PARAMETER='/kraft-infra/kraft/nodes/{node}/tls-key'", userData);
            Assert.Contains("ADMIN_PASSWORD_PARAMETER='/kraft-infra/kraft/admin-password'", userData);
            // The certificate the mock TLS provider issued for this node, and the CA's: public, in the user data.
            var unwrapped = userData.Replace("\n", "").Replace(" ", "");
            Assert.Contains(Body(await IssuedAsync(run, $"{node}-tls-cert")), unwrapped);
            Assert.Contains(caBody, unwrapped);
            Assert.Equal(Text(ca.Value["privateKeyPem"]), certificates[$"{node}-tls-cert"]["caPrivateKeyPem"]);
        }

        var request = run.Inputs("tls:index/certRequest:CertRequest")["kraft-broker-1-tls-request"];
        Assert.Equal(["10.42.0.30"], ((IEnumerable)request["ipAddresses"]).Cast<object>());
        Assert.Equal(["kraft-broker-1"], ((IEnumerable)request["dnsNames"]).Cast<object>());
    }

    [Fact]
    public async Task Each_instance_boots_only_after_the_read_access_the_admins_password_and_its_own_key_exist()
    {
        var options = new Dictionary<string, Output<ImmutableArray<Resource>>>();
        await StackRun.ObserveClusterAsync(new ClusterSpec(), args =>
        {
            if (args.Resource.GetResourceType() == InstanceType)
                options[args.Resource.GetResourceName()] = args.Options.DependsOn;
        });

        Assert.Equal(4, options.Count);
        foreach (var (instance, dependsOn) in options)
        {
            var node = instance[..^"-instance".Length];
            var names = (await StackRun.Get(dependsOn)).Select(r => r.GetResourceName()).Order(StringComparer.Ordinal);
            // Another node's key is not among them: a new key for one node replaces no other.
            Assert.Equal([$"{node}-tls-key", "kraft-secrets-admin-password", "kraft-secrets-read"], names);
        }
    }

    [Fact]
    public async Task The_node_role_may_read_only_its_clusters_parameters_and_decrypt_only_with_its_key()
    {
        var run = await StackRun.DeployAsync();

        var policy = Assert.Single(run.Inputs("aws:iam/rolePolicy:RolePolicy")).Value;
        using var json = JsonDocument.Parse(Text(policy["policy"]));
        var statements = json.RootElement.GetProperty("Statement").EnumerateArray().ToList();
        Assert.Equal(2, statements.Count);
        Assert.All(statements, s => Assert.Equal("Allow", s.GetProperty("Effect").GetString()));
        string Actions(JsonElement s) => s.GetProperty("Action").ValueKind == JsonValueKind.Array
            ? string.Join(",", s.GetProperty("Action").EnumerateArray().Select(a => a.GetString()))
            : s.GetProperty("Action").GetString()!;
        var read = statements.Single(s => Actions(s) == "ssm:GetParameter");
        Assert.Equal("arn:aws:ssm:eu-west-1:123456789012:parameter/kraft-infra/kraft/*", read.GetProperty("Resource").GetString());
        var decrypt = statements.Single(s => Actions(s) == "kms:Decrypt");
        Assert.StartsWith("arn:aws:kms:eu-west-1:123456789012:key/", decrypt.GetProperty("Resource").GetString());
    }

    [Fact]
    public async Task The_ca_certificate_is_a_plain_output_and_the_client_properties_a_secret_one()
    {
        var run = await StackRun.DeployAsync((Settings.Users, Users), (Settings.UserPasswords, $$"""{"orders-app": "{{GivenPassword}}"}"""));

        var caOutput = (Output<string>)run.Outputs["caCertificate"]!;
        var clientOutput = (Output<ImmutableDictionary<string, string>>)run.Outputs["clientProperties"]!;
        Assert.False(await Output.IsSecretAsync(caOutput));
        Assert.True(await Output.IsSecretAsync(clientOutput));

        var ca = await StackRun.Get(caOutput);
        Assert.Equal(await IssuedAsync(run, "kraft-secrets-ca"), ca);
        var clients = await StackRun.Get(clientOutput);
        Assert.Equal(["admin", "audit", "orders-app"], clients.Keys.Order(StringComparer.Ordinal));
        var orders = clients["orders-app"];
        // The file as ClusterSecurity writes it for this user, the CA the stack's own.
        Assert.Equal(ClusterSecurity.ClientProperties("orders-app", GivenPassword, ca, "10.42.0.30:9092,10.42.16.30:9092"), orders);
        Assert.Contains("security.protocol=SASL_SSL\n", orders);
        Assert.Contains(run.Mocks.Passwords.Single(p => p.Key.EndsWith("-admin-password", StringComparison.Ordinal)).Value, clients["admin"]);
    }

    [Fact]
    public async Task Users_are_set_by_a_step_after_readiness_whose_command_names_parameters_and_no_password()
    {
        var run = await StackRun.DeployAsync((Settings.Users, Users), (Settings.UserPasswords, $$"""{"orders-app": "{{GivenPassword}}"}"""));

        var step = Assert.Single(run.Inputs(CommandType).Values,
            c => (string)((IReadOnlyDictionary<string, object>)c["environment"])["KRAFT_DOCUMENT_PARAMETER"] == SsmDocuments.Users.ParameterName);
        var environment = (IReadOnlyDictionary<string, object>)step["environment"];
        var argument = Text(environment["KRAFT_REMOTE_ARGUMENT"]);
        var users = JsonDocument.Parse(Convert.FromBase64String(argument)).RootElement.EnumerateArray().ToList();
        Assert.Equal(["orders-app", "audit"], users.Select(u => u.GetProperty("name").GetString()));
        Assert.Equal("/kraft-infra/kraft/users/orders-app", users[0].GetProperty("parameter").GetString());
        Assert.DoesNotContain(GivenPassword, Flatten(step));
        // A new password version runs the step again: the parameters' versions are among its triggers.
        Assert.True(((IEnumerable)step["triggers"]).Cast<object>().Count() >= 3);
    }

    [Fact]
    public async Task A_plaintext_stack_makes_no_secrets_and_gives_empty_security_outputs()
    {
        var run = await StackRun.DeployAsync((Settings.Security, "plaintext"));

        Assert.DoesNotContain(run.Mocks.Registered.Keys, k => k.StartsWith("tls:", StringComparison.Ordinal)
            || k.StartsWith("aws:kms/", StringComparison.Ordinal) || k.StartsWith(ParameterType, StringComparison.Ordinal)
            || k.StartsWith("random:index/randomPassword", StringComparison.Ordinal) || k.StartsWith("aws:iam/rolePolicy:", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Mocks.Calls, c => c.Token == "aws:index/getCallerIdentity:getCallerIdentity");
        foreach (var (_, instance) in run.Inputs(InstanceType))
        {
            var userData = KraftStackTests.UserData(instance);
            Assert.Contains("listener.security.protocol.map=CONTROLLER:PLAINTEXT", userData);
            Assert.DoesNotContain("SECURITY=", userData);
        }
        Assert.Equal("plaintext", run.Outputs["security"]);
        Assert.Equal("", await StackRun.Get((Output<string>)run.Outputs["caCertificate"]!));
        Assert.Empty(await StackRun.Get((Output<ImmutableDictionary<string, string>>)run.Outputs["clientProperties"]!));
    }

    [Fact]
    public async Task A_running_cluster_whose_nodes_predate_the_setting_is_not_switched_and_nothing_is_created()
    {
        var mocks = new AwsMocks
        {
            ExistingInstances = new() { ["10.42.0.10"] = "i-0000000000000000a", ["10.42.0.30"] = "i-0000000000000000b" },
            ExistingReplicationBasis = "2",
            ExistingSecurity = null,
        };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StackRun.DeployAsync(mocks));

        Assert.Contains("kraft-infra:security: not set", error.ToString());
        Assert.Contains("pulumi config set kraft-infra:security plaintext", error.ToString());
        Assert.DoesNotContain(mocks.Registered.Keys, k => !k.StartsWith("pulumi:pulumi:Stack::", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_running_plaintext_cluster_that_says_plaintext_rolls_on_as_before()
    {
        var mocks = new AwsMocks
        {
            ExistingInstances = new() { ["10.42.0.10"] = "i-0000000000000000a", ["10.42.0.30"] = "i-0000000000000000b" },
            ExistingReplicationBasis = "2",
            ExistingSecurity = "plaintext",
        };
        var run = await StackRun.DeployAsync(mocks, (Settings.Security, "plaintext"));

        Assert.Equal(4, run.Inputs(InstanceType).Count);
        var scramRefused = await Assert.ThrowsAnyAsync<Exception>(() => StackRun.DeployAsync(new AwsMocks
        {
            ExistingInstances = mocks.ExistingInstances,
            ExistingReplicationBasis = "2",
            ExistingSecurity = "plaintext",
        }, (Settings.Security, "scram-tls")));
        Assert.Contains("kraft-infra:security: \"scram-tls\" is not accepted for cluster kraft, whose nodes run plaintext", scramRefused.ToString());
    }

    /// <summary>The certificate the mock TLS provider issued, read back from the stack's resource.</summary>
    private static Task<string> IssuedAsync(StackRun run, string resourceName) =>
        StackRun.Get(run.Resources.Single(r => r.GetResourceName() == resourceName) switch
        {
            Pulumi.Tls.LocallySignedCert c => c.CertPem,
            Pulumi.Tls.SelfSignedCert c => c.CertPem,
            _ => throw new InvalidOperationException($"{resourceName} is not a certificate"),
        });
}
