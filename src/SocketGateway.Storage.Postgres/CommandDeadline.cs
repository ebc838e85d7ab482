namespace SocketGateway.Storage.Postgres;

/// <summary>
/// A token that ends when the caller's does or when <c>limit</c> has passed on the store's clock, so a database
/// that does not answer counts as failing after <see cref="PostgresStoreOptions.CommandTimeoutMs"/>.
/// </summary>
internal sealed class CommandDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationTokenRegistration _caller;

    public CommandDeadline(TimeSpan limit, TimeProvider time, CancellationToken caller)
    {
        _source = new CancellationTokenSource(limit, time);
        _caller = caller.Register(static source => ((CancellationTokenSource)source!).Cancel(), _source);
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _caller.Dispose();
        _source.Dispose();
    }
}
