using System.IO.Pipelines;
using SocketGateway.Core;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;

namespace SocketGateway.LineProtocol;

/// <summary>
/// Reads the line protocol from a pipe and runs each line through <see cref="LineCommands"/>; the per-connection
/// work is <see cref="LineInput"/>. Two ways to drive it over the very same steps: <see cref="ReadAsync(ChatSession, PipeReader, LineInputGuards, CancellationToken)"/>
/// awaits each read (the raw WebSocket, which feeds a pipe from its frames); <see cref="Start"/> continues from
/// each read's completion, so that an idle TCP client holds no async frame while it waits.
/// </summary>
public sealed class LineConnection(LineCommands commands, GatewayLimits limits, TimeProvider time)
{
    /// <summary>The text a peer that is no trusted proxy is told when it starts with a PROXY protocol header.</summary>
    public const string UntrustedProxyHeaderText = "a PROXY protocol header is accepted only from a trusted proxy; closing";

    internal LineCommands Commands => commands;

    internal GatewayLimits Limits => limits;

    internal TimeProvider Time => time;

    /// <summary>Runs until the input ends or the client quits; returns true when it was a /quit.</summary>
    public Task<bool> ReadAsync(ChatSession session, PipeReader input, CancellationToken cancellationToken) =>
        ReadAsync(session, input, LineInputGuards.None, cancellationToken);

    /// <summary>As above, with the raw-input checks of <paramref name="guards"/> (a raw TCP port wants them all).</summary>
    public async Task<bool> ReadAsync(ChatSession session, PipeReader input, LineInputGuards guards, CancellationToken cancellationToken)
    {
        var lines = new LineInput(this, session, input, guards, ended: null, cancellationToken);
        try
        {
            while (true)
            {
                lines.ArmDeadline();
                var result = await lines.Source.ReadAsync(cancellationToken).ConfigureAwait(false);
                var step = await lines.TakeAsync(result, cancellationToken).ConfigureAwait(false);
                if (step != LineStep.Continue)
                {
                    return step == LineStep.Quit;
                }
            }
        }
        finally
        {
            await lines.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts reading on the thread pool and returns at once; <paramref name="owner"/> is told once when the input ends, the client
    /// quits, or reading fails. No token is registered while a read waits (an idle client must cost nothing): the
    /// reads end with the input, so a transport that stops shuts its socket's receive side. <paramref name="stopping"/>
    /// ends a command that waits (for the message budget, or for the client to read its own echoes).
    /// </summary>
    public void Start(ChatSession session, PipeReader input, LineInputGuards guards, ILineInputOwner owner, CancellationToken stopping) =>
        new LineInput(this, session, input, guards, owner, stopping).Start();
}
