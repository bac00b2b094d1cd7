namespace ModelLoop.Serving.Api;

/// <summary>POST /v1/models/{name}/predict: one output row per item; for classifiers the argmax class of each.</summary>
public sealed record PredictResponse(string Model, string Version, float[][] Outputs, int[]? Classes);
