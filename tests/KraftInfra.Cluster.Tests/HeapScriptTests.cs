namespace KraftInfra.Cluster.Tests;

public class HeapScriptTests
{
    private static string RunHeapScript(string heapSize, int maxMb, long memTotalKib)
    {
        using var dir = new ExternalTool.TempDir();
        var script = dir.Write("heap.sh", TemplateLibrary.Read(TemplateLibrary.HeapScript), executable: true);
        dir.Write("node.env", $"KAFKA_HEAP_SIZE='{heapSize}'\nKAFKA_HEAP_MAX_MB='{maxMb}'\n");
        dir.Write("meminfo", $"MemTotal:       {memTotalKib} kB\nMemFree:         1000 kB\n");
        var result = ExternalTool.Run(script, [dir.Combine("heap.env")], environment: new Dictionary<string, string>
        {
            ["KRAFT_NODE_ENV"] = dir.Combine("node.env"),
            ["KRAFT_MEMINFO"] = dir.Combine("meminfo"),
        });
        Assert.True(result.ExitCode == 0, result.Output);
        return File.ReadAllText(dir.Combine("heap.env"));
    }

    [Theory]
    [InlineData(8_000_000, 4096, "3906m")]   // half of 7812 MiB
    [InlineData(64_000_000, 6144, "6144m")]  // capped
    [InlineData(262_144, 4096, "256m")]      // at least 256 MiB
    public void Without_a_pinned_heap_it_takes_half_the_memory_within_bounds(long memKib, int max, string heap)
    {
        Assert.Equal($"KAFKA_HEAP_OPTS=\"-Xms{heap} -Xmx{heap}\"\n", RunHeapScript("", max, memKib));
    }

    [Fact]
    public void A_pinned_heap_is_used_as_given()
    {
        Assert.Equal("KAFKA_HEAP_OPTS=\"-Xms2g -Xmx2g\"\n", RunHeapScript("2g", 4096, 8_000_000));
    }
}
