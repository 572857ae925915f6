using System.Globalization;
using System.Text;

namespace KraftInfra.Cluster;

/// <summary>
/// Escaping for java.util.Properties as Kafka loads it (<c>Properties.load(InputStream)</c>, which
/// reads ISO-8859-1): only what load would otherwise misread is escaped, so the file stays readable.
/// </summary>
public static class JavaProperties
{
    public static string EscapeKey(string key) => Escape(key, isKey: true);

    public static string EscapeValue(string value) => Escape(value, isKey: false);

    public static string Line(string key, string value) => $"{EscapeKey(key)}={EscapeValue(value)}";

    private static string Escape(string text, bool isKey)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                case '\f': sb.Append(@"\f"); break;
                // load() ends a key at an unescaped '=', ':' or white space, and skips white space
                // before a value; '#' and '!' start a comment only at the start of a line (a key).
                case '=' or ':' when isKey: sb.Append('\\').Append(c); break;
                case ' ' when isKey || i == 0: sb.Append(@"\ "); break;
                case '#' or '!' when isKey && i == 0: sb.Append('\\').Append(c); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                        sb.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}
