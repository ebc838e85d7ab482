namespace SocketGateway.Core.Protocol;

/// <summary>
/// Removes telnet negotiation (RFC 854) from a byte stream so that it never reaches the line decoder, let alone
/// another user: IAC commands, option requests (WILL/WONT/DO/DONT x) and sub-negotiations (IAC SB … IAC SE) are
/// consumed; IAC IAC is a literal 0xFF byte, and so is an IAC before a byte that is no command (which keeps invalid
/// UTF-8 invalid). Nothing is agreed to: a DO is answered WONT and a WILL is answered DONT (each option once, so a
/// flood of requests cannot make the server flood back), collected in <see cref="TakeReplies"/>. A sub-negotiation
/// is bounded: after <see cref="MaxSubnegotiationBytes"/> bytes without IAC SE it is abandoned and what follows is
/// data again. The state carries over between calls, so any segmentation gives the same output.
/// </summary>
public sealed class TelnetFilter
{
    public const byte Iac = 255;
    public const byte Dont = 254;
    public const byte Do = 253;
    public const byte Wont = 252;
    public const byte Will = 251;
    public const byte Sb = 250;
    public const byte Se = 240;
    public const int MaxSubnegotiationBytes = 1024;

    // Both made on the first option request: most connections never send one.
    private bool[]? _refused;
    private List<byte>? _replies;
    private State _state;
    private byte _verb;
    private int _subnegotiationBytes;

    private enum State
    {
        Data,
        Command,
        Option,
        Subnegotiation,
        SubnegotiationIac,
    }

    /// <summary>Negotiation sequences consumed so far (for logs and tests).</summary>
    public long Consumed { get; private set; }

    /// <summary>
    /// Copies the data bytes of <paramref name="input"/> to <paramref name="output"/>, which must be one byte longer
    /// (an IAC held back from the previous call may turn out to be data); returns how many were written.
    /// </summary>
    public int Filter(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length + 1)
        {
            throw new ArgumentException("the output must be one byte longer than the input", nameof(output));
        }

        // The common case: plain text (valid UTF-8 never contains 0xFF).
        if (_state == State.Data && !input.Contains(Iac))
        {
            input.CopyTo(output);
            return input.Length;
        }

        var written = 0;
        foreach (var b in input)
        {
            switch (_state)
            {
                case State.Data when b == Iac:
                    _state = State.Command;
                    break;
                case State.Data:
                    output[written++] = b;
                    break;
                case State.Command when b < Se:
                    // Not a telnet command: the 0xFF was data (and makes the line invalid UTF-8, refused as such).
                    output[written++] = Iac;
                    output[written++] = b;
                    _state = State.Data;
                    break;
                case State.Command:
                    _state = b switch
                    {
                        Iac => State.Data,
                        Will or Wont or Do or Dont => State.Option,
                        Sb => State.Subnegotiation,
                        _ => State.Data,
                    };
                    if (b == Iac)
                    {
                        output[written++] = Iac;
                    }
                    else if (b is not (Will or Wont or Do or Dont or Sb))
                    {
                        Consumed++;
                    }

                    _verb = b;
                    _subnegotiationBytes = 0;
                    break;
                case State.Option:
                    Consumed++;
                    Refuse(_verb, b);
                    _state = State.Data;
                    break;
                case State.Subnegotiation:
                    _state = b == Iac ? State.SubnegotiationIac : CountSubnegotiationByte();
                    break;
                case State.SubnegotiationIac:
                    // IAC IAC inside SB is an escaped data byte of the sub-negotiation.
                    _state = b == Se ? EndSubnegotiation() : CountSubnegotiationByte();
                    break;
            }
        }

        return written;
    }

    /// <summary>The refusals owed to the client since the last call (IAC WONT x for DO x, IAC DONT x for WILL x).</summary>
    public byte[] TakeReplies()
    {
        if (_replies is not { Count: > 0 })
        {
            return [];
        }

        var replies = _replies.ToArray();
        _replies.Clear();
        return replies;
    }

    // WONT/DONT requests already describe the state we are in: answering them could start a loop (RFC 854).
    private void Refuse(byte verb, byte option)
    {
        var (answer, slot) = verb switch
        {
            Do => (Wont, option),
            Will => (Dont, option + 256),
            _ => ((byte)0, -1),
        };
        if (slot < 0 || (_refused ??= new bool[512])[slot])
        {
            return;
        }

        _refused[slot] = true;
        _replies ??= [];
        _replies.Add(Iac);
        _replies.Add(answer);
        _replies.Add(option);
    }

    private State CountSubnegotiationByte() =>
        ++_subnegotiationBytes > MaxSubnegotiationBytes ? EndSubnegotiation() : State.Subnegotiation;

    private State EndSubnegotiation()
    {
        Consumed++;
        _subnegotiationBytes = 0;
        return State.Data;
    }
}
