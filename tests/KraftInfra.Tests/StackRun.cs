using System.Collections.Immutable;
using System.Text.Json;
using KraftInfra.Cluster;
using Pulumi;
using Pulumi.Testing;

// PULUMI_CONFIG is process-wide: the stack runs one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace KraftInfra.Tests;

/// <summary>One run of the real stack body (Program.DefineStackAsync) against <see cref="AwsMocks"/>.</summary>
public sealed record StackRun(AwsMocks Mocks, ImmutableArray<Resource> Resources, IDictionary<string, object?> Outputs)
{
    public static Task<StackRun> DeployAsync(params (string Key, string Value)[] config) => DeployAsync(new AwsMocks(), config);

    public static async Task<StackRun> DeployAsync(AwsMocks mocks, params (string Key, string Value)[] config)
    {
        var values = config.ToDictionary(c => c.Key.Contains(':') ? c.Key : $"kraft-infra:{c.Key}", c => c.Value);
        values.TryAdd("aws:region", AwsMocks.Region);
        Environment.SetEnvironmentVariable("PULUMI_CONFIG", JsonSerializer.Serialize(values));
        try
        {
            var (resources, outputs) = await Deployment.TestAsync(mocks,
                new TestOptions { ProjectName = "kraft-infra", StackName = "test", IsPreview = false },
                Program.DefineStackAsync);
            return new StackRun(mocks, resources, outputs);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PULUMI_CONFIG", null);
        }
    }

    /// <summary>
    /// Builds a KraftCluster directly and shows <paramref name="observe"/> every resource registered
    /// below it, with the options it was given: what the mocks can't see (parents, dependencies).
    /// </summary>
    public static Task ObserveClusterAsync(ClusterSpec spec, Action<ResourceTransformationArgs> observe,
        IReadOnlyDictionary<string, string>? existingInstances = null) =>
        Deployment.TestAsync(new AwsMocks(), new TestOptions { ProjectName = "kraft-infra", IsPreview = false }, () =>
        {
            _ = new KraftInfra.Components.KraftCluster("kraft", new KraftInfra.Components.KraftClusterArgs
            {
                Spec = spec,
                ZoneNames = ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
                ImageId = AwsMocks.ImageId,
                Region = AwsMocks.Region,
                ExistingInstances = existingInstances ?? new Dictionary<string, string>(),
            }, new ComponentResourceOptions
            {
                ResourceTransformations =
                {
                    args =>
                    {
                        lock (observe)
                            observe(args);
                        return null;
                    },
                },
            });
        });

    public IEnumerable<T> All<T>() where T : Resource => Resources.OfType<T>();

    /// <summary>Inputs of the registered resources of one type token, by resource name.</summary>
    public IReadOnlyDictionary<string, ImmutableDictionary<string, object>> Inputs(string type) => Mocks.Registered
        .Where(r => r.Key.StartsWith(type + "::", StringComparison.Ordinal))
        .ToDictionary(r => r.Key[(type.Length + 2)..], r => r.Value);

    public static Task<T> Get<T>(Output<T> output)
    {
        var done = new TaskCompletionSource<T>();
        output.Apply(v =>
        {
            done.TrySetResult(v);
            return v;
        });
        return done.Task;
    }
}
