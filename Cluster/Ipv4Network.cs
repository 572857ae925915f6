using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KraftInfra.Cluster;

/// <summary>An IPv4 network in CIDR form (address/prefix), with the arithmetic the topology needs.</summary>
public readonly record struct Ipv4Network(uint Network, int Prefix)
{
    public ulong Size => 1UL << (32 - Prefix);

    /// <summary>Parses "a.b.c.d/n". Fails (with a reason) on bad syntax or host bits set.</summary>
    public static bool TryParse(string? text, out Ipv4Network network, out string reason)
    {
        network = default;
        reason = "";
        var parts = (text ?? "").Split('/');
        if (parts.Length != 2
            || !IPAddress.TryParse(parts[0], out var address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || parts[0].Split('.').Length != 4
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || prefix is < 0 or > 32)
        {
            reason = "is not an IPv4 CIDR block like 10.0.0.0/16";
            return false;
        }

        var value = ToUInt(address);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        if ((value & ~mask) != 0)
        {
            reason = $"has host bits set; the network is {Format(value & mask)}/{prefix}";
            return false;
        }

        network = new Ipv4Network(value, prefix);
        return true;
    }

    /// <summary>The index-th subnet of the given (longer) prefix inside this network.</summary>
    public Ipv4Network Subnet(int newPrefix, int index)
    {
        if (newPrefix < Prefix || newPrefix > 32)
            throw new ArgumentOutOfRangeException(nameof(newPrefix));
        var count = 1UL << (newPrefix - Prefix);
        if (index < 0 || (ulong)index >= count)
            throw new ArgumentOutOfRangeException(nameof(index));
        return new Ipv4Network(Network + (uint)((ulong)index << (32 - newPrefix)), newPrefix);
    }

    /// <summary>The address at the given offset from the network address.</summary>
    public string AddressAt(uint offset)
    {
        if (offset >= Size)
            throw new ArgumentOutOfRangeException(nameof(offset));
        return Format(Network + offset);
    }

    public override string ToString() => $"{Format(Network)}/{Prefix.ToString(CultureInfo.InvariantCulture)}";

    private static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    private static string Format(uint value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}");
}
