"""Users' use cases, one function each: registering, logging in, machine tokens, the caller's account,
the JWKS, the service's status and the bootstrap admin at start-up.

Each takes the `UsersContext` first and works through it: the account store, the signing keys, the
login limits and password hashing. Every write of users is a single statement that is atomic on its
own (an insert that does nothing on an e-mail conflict, a guarded hash upgrade), so no use case opens
a transaction and the context has no unit of work. A use case that comes to make two writes that must
stand or fall together gets one (`tickethub.db.UnitOfWork`) and opens its transaction explicitly, as
the other services' use cases do. Ids come from `tickethub.kernel.new_id`, the time from
`context.clock()`.
"""
