using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>Keeps every log entry at or above a level, for tests that assert the host logged no errors.</summary>
public sealed class CapturingLoggerProvider(LogLevel minimum) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();
    private readonly LogLevel _minimum = minimum;

    public IReadOnlyCollection<string> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider._entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
