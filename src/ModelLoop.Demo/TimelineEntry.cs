using System.Globalization;

namespace ModelLoop.Demo;

/// <summary>One line of the demo's timeline: when, after how many requests, what happened.</summary>
public sealed record TimelineEntry(TimeSpan At, long Requests, string Text)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{At.TotalSeconds,6:F1} s  {Requests,6} requests  {Text}");
}
