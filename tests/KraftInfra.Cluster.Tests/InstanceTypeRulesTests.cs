namespace KraftInfra.Cluster.Tests;

public class InstanceTypeRulesTests
{
    private static readonly Dictionary<string, InstanceTypeFacts> Ec2 = new()
    {
        ["t3.medium"] = new("t3.medium", ["x86_64"], "required"),
        ["t3.large"] = new("t3.large", ["x86_64"], "required"),
        ["m7g.large"] = new("m7g.large", ["arm64"], "required"),
        ["a1.large"] = new("a1.large", ["arm64"], "required"),
        ["t2.large"] = new("t2.large", ["i386", "x86_64"], "unsupported"),
    };

    [Fact]
    public void The_default_types_fit_the_default_architecture()
    {
        Assert.Empty(InstanceTypeRules.Problems(new ClusterSpec(), Ec2));
    }

    [Fact]
    public void A_type_of_another_architecture_is_refused_naming_its_key_and_the_architecture()
    {
        var spec = new ClusterSpec { Architecture = "arm64", ControllerInstanceType = "a1.large", BrokerInstanceType = "t3.large" };

        var problem = Assert.Single(InstanceTypeRules.Problems(spec, Ec2));

        Assert.StartsWith("kraft-infra:brokerInstanceType: \"t3.large\" is not accepted; expected an instance type for arm64", problem);
        Assert.Contains("EC2 describes t3.large as x86_64 only", problem);
    }

    [Fact]
    public void A_type_without_nvme_attached_ebs_is_refused_because_the_boot_could_not_find_its_volume()
    {
        var spec = new ClusterSpec { ControllerInstanceType = "t2.large" };

        var problem = Assert.Single(InstanceTypeRules.Problems(spec, Ec2));

        Assert.StartsWith("kraft-infra:controllerInstanceType: \"t2.large\" is not accepted", problem);
        Assert.Contains("NVMe", problem);
    }
}
