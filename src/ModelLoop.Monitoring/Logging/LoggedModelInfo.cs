using System.Globalization;
using ModelLoop.Artifacts;

namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// What the log keeps of a served model version so that feedback can be checked and exported without loading the model:
/// its task, its class or output names (as <see cref="PackageInfo"/> read them from the package) and the label column it
/// was trained on.
/// </summary>
public sealed record LoggedModelInfo(ModelTask Task, int ClassCount, int OutputWidth, IReadOnlyList<string>? ClassNames, IReadOnlyList<string>? OutputNames)
{
    /// <summary>The table label column the model was trained on (its pipeline's), so exports use the same name; null when unknown.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The log's description of a package.</summary>
    public static LoggedModelInfo From(PackageInfo package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return new(package.Task, package.ClassCount, package.OutputWidth, package.ClassNames, package.OutputNames) { LabelColumn = package.Pipeline?.Label?.Name };
    }

    /// <summary>The name of class <paramref name="index"/>: its class name, or the index as text when the model names none.</summary>
    public string Label(int index) => ClassNames is { } names ? names[index] : index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The class whose <see cref="Label"/> is <paramref name="label"/> (ordinal comparison); null when none.</summary>
    public int? ClassOf(string label)
    {
        for (var i = 0; i < ClassCount; i++)
        {
            if (Label(i) == label)
                return i;
        }
        return null;
    }
}
