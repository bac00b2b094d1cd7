using System.Text.Json;
using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Serving.Api;

/// <summary>
/// A predict body read against a model's schema: the model's input (<see cref="Values"/>, <see cref="Count"/> items ×
/// elements, preprocessed) and, for the prediction log, how the items came (<see cref="Format"/>), each item before
/// preprocessing (<see cref="RawItems"/>: tensor values, image pixels in [0, 1], or a record's encoding) and the records
/// as sent (<see cref="Records"/>, null unless the body sent records; they live as long as the request's JSON document).
/// </summary>
internal sealed record ParsedInput(float[] Values, int Count, InputFormat Format, IReadOnlyList<float[]> RawItems, IReadOnlyList<JsonElement>? Records);
