using System.Collections.Frozen;
using System.Globalization;

namespace ModelLoop.Serving.Billing;

/// <summary>
/// ISO 4217 currency codes and their minor units (the decimals an amount is rounded to). The codes come from .NET's
/// culture data (every region's <see cref="RegionInfo.ISOCurrencySymbol"/>, ICU's CLDR tables). The minor units are
/// written here by hand because .NET has no ISO 4217 table of them (a culture's CurrencyDecimalDigits is a display
/// habit that differs between cultures of one currency); the exceptions to 2 decimals are ISO 4217's own list.
/// </summary>
internal static class Currencies
{
    /// <summary>ISO 4217's "no currency involved": the currency of an invoice that neither a plan nor a price gives one.</summary>
    public const string None = "XXX";

    // ISO 4217 minor units other than 2 (currencies in use).
    private static readonly FrozenDictionary<string, int> MinorUnits = new Dictionary<string, int>
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0, ["PYG"] = 0,
        ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0, [None] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
        ["CLF"] = 4, ["UYW"] = 4,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenSet<string>> Known = new(() =>
    {
        var codes = new HashSet<string>(MinorUnits.Keys, StringComparer.Ordinal);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            try
            {
                codes.Add(new RegionInfo(culture.Name).ISOCurrencySymbol);
            }
            catch (ArgumentException)
            {
                // A culture without a region (none among specific cultures today): nothing to add.
            }
        }
        // The major currencies stay known even where the process runs without ICU (invariant globalization has no regions).
        codes.UnionWith(["USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "CNY", "INR", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "BRL", "MXN", "ZAR", "SGD", "HKD"]);
        return codes.ToFrozenSet(StringComparer.Ordinal);
    });

    /// <summary>Whether <paramref name="code"/> is a known ISO 4217 code (exactly three upper-case letters).</summary>
    public static bool IsKnown(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper) && Known.Value.Contains(code);

    /// <summary>The decimals an amount in <paramref name="code"/> is rounded to: 2 unless ISO 4217 says otherwise.</summary>
    public static int MinorDigits(string code) => MinorUnits.GetValueOrDefault(code, 2);

    /// <summary>
    /// Rounds <paramref name="amount"/> to the currency's minor unit, midpoints away from zero (commercial rounding, as on
    /// paper invoices; banker's rounding would bill 0.125 as 0.12 but 0.135 as 0.14). The result carries exactly that many
    /// decimals (12.5 USD becomes 12.50), so it prints as an amount of that currency.
    /// </summary>
    public static decimal Round(decimal amount, string code)
    {
        var digits = MinorDigits(code);
        // Adding a zero of scale `digits` pads the scale: decimal addition keeps the larger scale of its operands.
        return Math.Round(amount, digits, MidpointRounding.AwayFromZero) + new decimal(0, 0, 0, false, (byte)digits);
    }

    /// <summary>Whether <paramref name="amount"/> has no more decimals than the currency's minor unit (a fee of 9.999 USD has too many).</summary>
    public static bool FitsMinorUnit(decimal amount, string code) => Math.Round(amount, MinorDigits(code)) == amount;
}
