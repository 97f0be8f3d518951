"""The network loses messages: one environment rule per message array in flight, behind the
`loss` switch.  A loss takes the message out of flight and changes nothing else; what a lost
message costs is for the retransmission and soft-state rules to repair.
"""
from __future__ import annotations

from pmipmc.engine.api import Step, rule

from .state import Ctx


@rule(cites="environment: message loss", each=("MAG", "LISTENER", "SENDER"), env=True, switch="loss")
def network_loses_mld_report(ctx: Ctx, s, m, l, src):
    """An MLD report on the access link is lost."""
    return Step(guard=s.mld[m][l][src] != 0, effect={s.mld[m][l][src]: 0})


@rule(cites="environment: message loss", each=("SENDER",), env=True, switch="loss")
def network_loses_pbu(ctx: Ctx, s, n):
    """The registration PBU for an MN is lost."""
    return Step(guard=s.pbu_reg[n] != ctx.NONE, effect={s.pbu_reg[n]: ctx.NONE})


@rule(cites="environment: message loss", each=("SENDER",), env=True, switch="loss")
def network_loses_deregistration(ctx: Ctx, s, n):
    """The de-registration PBU (lifetime 0) for an MN is lost."""
    return Step(guard=s.pbu_dereg[n] != ctx.NONE, effect={s.pbu_dereg[n]: ctx.NONE})


@rule(cites="environment: message loss", each=("MAG", "SENDER"), env=True, switch="loss")
def network_loses_pbu_q(ctx: Ctx, s, m, src):
    """A PBU-Q is lost."""
    return Step(guard=s.pbu_q[m][src] == 1, effect={s.pbu_q[m][src]: 0})


@rule(cites="environment: message loss", each=("MAG", "SENDER"), env=True, switch="loss")
def network_loses_pba_q(ctx: Ctx, s, m, src):
    """A PBA-Q is lost."""
    return Step(guard=s.pba_q[m][src] != 0, effect={s.pba_q[m][src]: 0})


@rule(cites="environment: message loss", each=("MAG", "MAG", "SENDER"), env=True, switch="loss")
def network_loses_pim(ctx: Ctx, s, a, b, src):
    """A PIM Join/Prune inside the tunnel is lost."""
    return Step(guard=s.pim[a][b][src] != 0, effect={s.pim[a][b][src]: 0})


@rule(cites="environment: message loss", each=("MAG", "MAG"), env=True, switch="loss")
def network_loses_tunnel_setup(ctx: Ctx, s, a, b):
    """A tunnel set-up signal is lost (one_way reading)."""
    if a == b or not ctx.reads("tunnel_setup", "one_way"):
        return None
    return Step(guard=s.tunnel_setup[a][b] == 1, effect={s.tunnel_setup[a][b]: 0})


RULES = [network_loses_mld_report, network_loses_pbu, network_loses_deregistration, network_loses_pbu_q,
         network_loses_pba_q, network_loses_pim, network_loses_tunnel_setup]
