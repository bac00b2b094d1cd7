using System.Text.RegularExpressions;
using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Anonymization;

/// <summary>
/// Finds personal data in text with patterns (regular expressions, compiled once) and checks: the Luhn checksum
/// for card numbers, digit counts for phones. Patterns are tried from the most specific (card, national ID,
/// email, IP) to the least (phone); a span claimed by one is not reported again.
/// </summary>
public static partial class PiiDetector
{
    /// <summary>One match: its kind and where it is in the text.</summary>
    public readonly record struct Match(PiiKind Kind, int Index, int Length);

    [GeneratedRegex(@"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])|\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")]
    private static partial Regex NationalIdPattern();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])")]
    private static partial Regex IpPattern();

    [GeneratedRegex(@"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}(?!\w)|(?<![\w+])\+\d{7,15}(?!\w)")]
    private static partial Regex PhonePattern();

    /// <summary>Every match of the requested kinds in <paramref name="text"/>, ordered by position, never overlapping.</summary>
    public static IReadOnlyList<Match> Find(string text, IReadOnlyCollection<PiiKind>? kinds = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        kinds ??= Enum.GetValues<PiiKind>();
        var found = new List<Match>();
        void Scan(PiiKind kind, Regex pattern, Func<string, bool> accept)
        {
            if (!kinds.Contains(kind))
                return;
            foreach (System.Text.RegularExpressions.Match m in pattern.Matches(text))
                if (accept(m.Value) && !found.Any(f => m.Index < f.Index + f.Length && f.Index < m.Index + m.Length))
                    found.Add(new Match(kind, m.Index, m.Length));
        }
        Scan(PiiKind.CreditCard, CardPattern(), v => Luhn(Digits(v)));
        Scan(PiiKind.NationalId, NationalIdPattern(), _ => true);
        Scan(PiiKind.Email, EmailPattern(), _ => true);
        Scan(PiiKind.IpAddress, IpPattern(), _ => true);
        // A plain number (a measurement, 1.5e3) or an ISO date is not a phone number.
        Scan(PiiKind.Phone, PhonePattern(), v => Digits(v).Length is >= 7 and <= 15 && !SchemaInference.TryParseNumber(v, out _) && !SchemaInference.TryParseDate(v, out _));
        return found.OrderBy(f => f.Index).ToArray();
    }

    /// <summary>The Luhn (mod 10) check used by payment card numbers.</summary>
    public static bool Luhn(string digits)
    {
        if (digits.Length is < 13 or > 19)
            return false;
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            sum += d;
        }
        return sum % 10 == 0;
    }

    private static string Digits(string value) => new(value.Where(char.IsAsciiDigit).ToArray());
}
