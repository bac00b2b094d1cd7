using System.Globalization;

namespace ModelLoop.Serving.Billing;

/// <summary>A UTC calendar month, the period of an invoice: written "yyyy-MM" (e.g. "2026-12").</summary>
public readonly record struct BillingMonth
{
    private BillingMonth(int year, int month) => (Year, Month) = (year, month);

    public int Year { get; }

    /// <summary>1 to 12.</summary>
    public int Month { get; }

    /// <summary>00:00 UTC of the month's first day (inclusive).</summary>
    public DateTime StartUtc => new(Year, Month, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>00:00 UTC of the next month's first day (exclusive).</summary>
    public DateTime EndUtc => StartUtc.AddMonths(1);

    /// <summary>The month's first day.</summary>
    public DateOnly FirstDay => new(Year, Month, 1);

    /// <summary>The month holding <paramref name="utc"/>.</summary>
    public static BillingMonth Of(DateTime utc) => new(utc.Year, utc.Month);

    /// <summary>The month holding <paramref name="day"/>.</summary>
    public static BillingMonth Of(DateOnly day) => new(day.Year, day.Month);

    /// <summary>
    /// Parses "yyyy-MM" (years 2000–9999). Throws <see cref="ArgumentException"/> naming <paramref name="field"/>, what was
    /// received and what is expected, e.g. for "2026-13".
    /// </summary>
    /// <param name="field">How the caller calls the value, for the message, e.g. "--invoice" or "the month in the path".</param>
    public static BillingMonth Parse(string? text, string field)
    {
        if (text is { Length: 7 } && text[4] == '-'
            && int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            && year >= 2000 && month is >= 1 and <= 12)
            return new BillingMonth(year, month);
        throw new ArgumentException(
            $"{field} must be a UTC month written yyyy-MM with a month from 01 to 12, e.g. 2026-12; received '{text}'.", field);
    }

    /// <summary>"yyyy-MM".</summary>
    public override string ToString() => $"{Year:D4}-{Month:D2}";
}
