using Microsoft.AspNetCore.Http.HttpResults;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Api;

/// <summary>
/// One predict call's hold on its Idempotency-Key (<see cref="IdempotencyStore.Claim"/>). When <see cref="Answer"/> is set
/// the call is answered with it and not run; otherwise the call runs, <see cref="Keep"/> stores a 200 answer for its
/// retries, and disposing frees the key when there was none (an error: a retry runs anew).
/// </summary>
internal sealed class IdempotencyClaim : IDisposable
{
    public static readonly IdempotencyClaim None = new(null, null, null);

    private readonly TaskCompletionSource<PredictResponse?>? _answer;
    private readonly Action<PredictResponse>? _store;
    private readonly Action? _release;

    internal IdempotencyClaim(TaskCompletionSource<PredictResponse?>? answer, Action<PredictResponse>? keep, Action? release)
    {
        _answer = answer;
        _store = keep;
        _release = release;
    }

    /// <summary>The answer to send instead of running the call: a replayed 200, or a problem with the key. Null: run it.</summary>
    public Results<Ok<PredictResponse>, ProblemHttpResult>? Answer { get; private init; }

    public static IdempotencyClaim Answered(Results<Ok<PredictResponse>, ProblemHttpResult> answer) => new(null, null, null) { Answer = answer };

    /// <summary>Stores <paramref name="result"/> for the key's retries when it is a 200; returns it unchanged.</summary>
    public Results<Ok<PredictResponse>, ProblemHttpResult> Keep(Results<Ok<PredictResponse>, ProblemHttpResult> result)
    {
        if (result.Result is Ok<PredictResponse> { Value: { } response })
            _store?.Invoke(response);
        return result;
    }

    public void Dispose()
    {
        if (_answer is { Task.IsCompleted: false })
            _release?.Invoke();
    }
}
