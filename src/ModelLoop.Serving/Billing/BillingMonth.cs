using System.Globalization;

namespace ModelLoop.Serving.Billing;

/// <summary>
/// A UTC calendar month, the period of an invoice: written "yyyy-MM" (e.g. "2026-12"). It also owns the rule that keeps
/// final invoices final while usage is still being committed around a month's end:
/// <list type="bullet">
/// <item>Usage belongs to the month of its request's time (when the server answered it) if it is committed before
/// <see cref="LateUsageEndUtc"/> (<see cref="LateUsageWindow"/> after the month's end); usage committed later is booked at
/// the time it commits, in the month then open (<see cref="BookedAt"/>; the meter logs each such booking).</item>
/// <item>A month's invoices are final from <see cref="FinalUtc"/> (<see cref="FinalAfter"/> after its end), when no usage
/// can be booked in it any more.</item>
/// </list>
/// So the usage rows of a final month never change and every invoice, draft or final, is derived from the usage table as it is:
/// totals always reconcile with the metering tables. (The margin between the two instants covers the time between the
/// meter's clock reading and its commit, milliseconds.)
/// </summary>
public readonly record struct BillingMonth
{
    /// <summary>How long after a month's end a request of that month may still be committed to it: 5 minutes.</summary>
    public static readonly TimeSpan LateUsageWindow = TimeSpan.FromMinutes(5);

    /// <summary>How long after a month's end its invoices become final: 1 hour.</summary>
    public static readonly TimeSpan FinalAfter = TimeSpan.FromHours(1);

    private BillingMonth(int year, int month) => (Year, Month) = (year, month);

    public int Year { get; }

    /// <summary>1 to 12.</summary>
    public int Month { get; }

    /// <summary>00:00 UTC of the month's first day (inclusive).</summary>
    public DateTime StartUtc => new(Year, Month, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>00:00 UTC of the next month's first day (exclusive).</summary>
    public DateTime EndUtc => StartUtc.AddMonths(1);

    /// <summary>Usage of this month committed from this instant on is booked in the month then open: <see cref="EndUtc"/> + <see cref="LateUsageWindow"/>.</summary>
    public DateTime LateUsageEndUtc => EndUtc + LateUsageWindow;

    /// <summary>The month's invoices are final from this instant: <see cref="EndUtc"/> + <see cref="FinalAfter"/>.</summary>
    public DateTime FinalUtc => EndUtc + FinalAfter;

    /// <summary>Whether the month's invoices are final at <paramref name="nowUtc"/>.</summary>
    public bool IsFinalAt(DateTime nowUtc) => nowUtc >= FinalUtc;

    /// <summary>
    /// When usage of a request answered at <paramref name="requestUtc"/> and committed at <paramref name="commitUtc"/> is
    /// booked: at the request's time, unless its month's late-usage window has closed by the commit; then at the commit.
    /// </summary>
    public static DateTime BookedAt(DateTime requestUtc, DateTime commitUtc) =>
        commitUtc < Of(requestUtc).LateUsageEndUtc ? requestUtc : commitUtc;

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
