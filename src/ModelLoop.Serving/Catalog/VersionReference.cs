using System.Globalization;
using ModelLoop.Serving.Api;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// The one spelling of a requested version or alias, so that "1", "01", "v1" and "V001" share one cache entry and one
/// loaded model: a version number is written in decimal without leading zeros or "v" ("1"); "latest" in any case is
/// "latest"; any other name is an alias (or a run folder's non-numeric version) and kept as sent. Anything else —
/// empty, too long, spaces, path characters — is refused before any lookup, with the accepted forms.
/// </summary>
internal static class VersionReference
{
    /// <summary>Longest alias or version name accepted: 64 characters, the registry's alias limit.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// The canonical form of <paramref name="versionOrAlias"/>; null stays null (the model's default).
    /// Throws <see cref="BadInputException"/> (400) naming the accepted forms when it cannot name a version or alias.
    /// </summary>
    public static string? Normalize(string? versionOrAlias)
    {
        if (versionOrAlias is null)
            return null;
        var text = versionOrAlias.Trim();
        var digits = text.Length > 1 && text[0] is 'v' or 'V' ? text[1..] : text;
        if (digits.Length is > 0 and <= 9 && digits.All(char.IsAsciiDigit))
            return int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        if (text.Equals("latest", StringComparison.OrdinalIgnoreCase))
            return "latest";
        if (text.Length is > 0 and <= MaxLength && char.IsAsciiLetterOrDigit(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            return text;
        throw new BadInputException(
            $"?version= received '{Shorten(versionOrAlias)}', which names no version or alias. Expected a version number (1, v1 and 001 all mean version 1), " +
            $"'latest', or an alias: a letter or digit then up to {MaxLength - 1} letters, digits, '-', '_' or '.' (e.g. production). Omit it for the model's default version.");
    }

    /// <summary>True when <paramref name="canonical"/> (a <see cref="Normalize"/> result) names a version number rather than an alias.</summary>
    public static bool IsNumber(string canonical) => canonical.Length > 0 && canonical.All(char.IsAsciiDigit);

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
