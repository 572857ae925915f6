using System.Globalization;

namespace KraftInfra.Cluster;

/// <summary>An Apache Kafka release number (major.minor.patch), ordered numerically.</summary>
public sealed record KafkaVersion(int Major, int Minor, int Patch) : IComparable<KafkaVersion>
{
    /// <summary>Kafka's tarballs for 4.x are built for Scala 2.13 only; 3.x also had 2.12.</summary>
    public const string ScalaVersion = "2.13";

    public static bool TryParse(string? text, out KafkaVersion version)
    {
        version = new KafkaVersion(0, 0, 0);
        var parts = (text ?? "").Split('.');
        if (parts.Length != 3)
            return false;
        var numbers = new int[3];
        for (var i = 0; i < 3; i++)
        {
            if (parts[i].Length == 0 || parts[i].Length > 4 || (parts[i].Length > 1 && parts[i][0] == '0')
                || !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                return false;
        }
        version = new KafkaVersion(numbers[0], numbers[1], numbers[2]);
        return true;
    }

    public static KafkaVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a Kafka version like 4.1.1");

    /// <summary>The release's binary tarball name, as Apache publishes it.</summary>
    public string TarballName => $"kafka_{ScalaVersion}-{this}.tgz";

    public int CompareTo(KafkaVersion? other)
    {
        if (other is null) return 1;
        var c = Major.CompareTo(other.Major);
        if (c != 0) return c;
        c = Minor.CompareTo(other.Minor);
        return c != 0 ? c : Patch.CompareTo(other.Patch);
    }

    public bool AtLeast(int major, int minor) => CompareTo(new KafkaVersion(major, minor, 0)) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");
}
