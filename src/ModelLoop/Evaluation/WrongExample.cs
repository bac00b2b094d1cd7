namespace ModelLoop.Evaluation;

/// <summary>A misclassified test sample: its index, true and predicted class, and the probability given to the wrong class.</summary>
public sealed record WrongExample(long Index, int Label, int Predicted, double Confidence);
