using ModelLoop.Evaluation.Report;

namespace ModelLoop.Loop;

/// <summary>
/// Something <see cref="EvaluationJob"/> also measures on the model it evaluates, contributed by another assembly
/// (e.g. the privacy audit of ModelLoop.Privacy, which the core cannot reference): it returns a report section.
/// </summary>
public interface IEvaluationAddOn
{
    /// <summary>Measures and returns the section for report.html and evaluation.json, or null when it has nothing to say about this model.</summary>
    /// <exception cref="ArgumentException">The model or data does not allow it; the message says what to pass instead.</exception>
    ReportSection? Evaluate(EvaluationAddOnContext context);
}
