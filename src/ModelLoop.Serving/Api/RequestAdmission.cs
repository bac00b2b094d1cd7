using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelLoop.Serving.Catalog;
using ModelLoop.Serving.Metering;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Api;

/// <summary>
/// One predict request's hold on its model's memory bound and its tenant's item limits (<see cref="AdmissionGate"/>):
/// bytes reserved before the body is read and before it is decoded, items reserved against the daily quota. Disposing it
/// — after the request's usage was recorded, or it failed — gives all of it back.
/// </summary>
internal sealed class RequestAdmission : IDisposable
{
    private readonly AdmissionGate _gate;
    private readonly HttpContext _context;
    private readonly Tenant _tenant;
    private readonly List<(string Model, long Bytes)> _bytes = [];
    private int _quotaItems;
    private bool _admitted;

    internal RequestAdmission(AdmissionGate gate, HttpContext context, Tenant tenant)
    {
        _gate = gate;
        _context = context;
        _tenant = tenant;
    }

    /// <summary>Why the request was shed before its body was read (429 or 503 with Retry-After); null when it may go on.</summary>
    public ProblemHttpResult? Refusal { get; private set; }

    /// <summary>
    /// Wraps a body parser: before <paramref name="parse"/> decodes anything, the items the body holds are counted and
    /// their decoded size checked (413 past the per-request bound) and reserved (503 past the model's bound); after it,
    /// the tenant's item rate limit and daily item quota are taken (429). Throws <see cref="AdmissionRefusedException"/>.
    /// Called again for the same request (a version switch under it), it only parses.
    /// </summary>
    public Func<ServableModel, ParsedInput> Guard(JsonElement body, Func<ServableModel, ParsedInput> parse) => model =>
    {
        if (_admitted)
            return parse(model);
        var items = CountItems(body);
        // The parser keeps each item and the batch it concatenates (float32): 2 × items × elements × 4 bytes.
        var decoded = items * model.Schema.Elements * sizeof(float) * 2;
        var limit = _gate.Options.MaxDecodedBytesPerRequest;
        if (decoded > limit)
        {
            var fit = Math.Max(1, limit / Math.Max(1, model.Schema.Elements * sizeof(float) * 2));
            throw new AdmissionRefusedException(StatusCodes.Status413PayloadTooLarge, "The request is too large.",
                $"The request's {items} items would decode to {AdmissionGate.Size(decoded)} for model '{model.Name}' (input {string.Join("×", model.Schema.Shape)} per item); at most {AdmissionGate.Size(limit)} are accepted per request (Serving:MaxDecodedBytesPerRequest). Send at most {fit} items per request.",
                null);
        }
        if (!TryReserveBytes(model.Name, decoded))
            throw _gate.Overloaded(model.Name);
        var input = parse(model);
        if (_gate.TakeItemRate(_tenant, input.Count) is { } rate)
            throw rate;
        if (_gate.TakeItemQuota(_tenant, input.Count) is { } quota)
            throw quota;
        _quotaItems = _tenant.DailyItemQuota is null ? 0 : input.Count;
        _admitted = true;
        return input;
    };

    internal RequestAdmission Refuse(AdmissionRefusedException refused)
    {
        Refusal = refused.ToProblem(_context);
        return this;
    }

    internal bool TryReserveBytes(string model, long bytes)
    {
        if (!_gate.TryReserveBytes(model, bytes))
            return false;
        _bytes.Add((model, bytes));
        return true;
    }

    public void Dispose()
    {
        foreach (var (model, bytes) in _bytes)
            _gate.ReleaseBytes(model, bytes);
        _bytes.Clear();
        if (_quotaItems > 0)
            _gate.Meter.ReleaseReservation(_tenant.Id, UsageUnit.Items, _quotaItems);
        _quotaItems = 0;
    }

    // Items in a predict body, from its arrays' lengths alone (nothing decoded): "inputs", "records" or "images", or one
    // "input", "record" or "image". 0 when it has none of them (the parser then says what to send).
    private static long CountItems(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return 0;
        foreach (var many in (string[])["inputs", "records", "images"])
        {
            if (body.TryGetProperty(many, out var array) && array.ValueKind == JsonValueKind.Array)
                return array.GetArrayLength();
        }
        return body.TryGetProperty("input", out _) || body.TryGetProperty("record", out _) || body.TryGetProperty("image", out _) ? 1 : 0;
    }
}
