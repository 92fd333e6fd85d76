#include "control/ddns/policy.hpp"

namespace edgelease::control::ddns {

using zone::Origin;

Decision decide(LeaseDnsEvent ev, RecordKind kind, const RecordState& rec,
                const config::ScopeDnsPolicy& p) noexcept {
    const bool writing = ev == LeaseDnsEvent::Grant || ev == LeaseDnsEvent::Renew;
    if (writing) {
        if (!p.update) return Decision::Keep;
        if (!rec.origin) return Decision::Write;
        switch (*rec.origin) {
            case Origin::Config:
            case Origin::Manual:
                return Decision::Skip;  // an admin's record: never DHCP's to touch
            case Origin::Update:
                return p.on_conflict == config::OnConflict::Overwrite ? Decision::Write
                                                                      : Decision::Skip;
            case Origin::Reservation:
                return rec.same_owner ? Decision::Write : Decision::Skip;
            case Origin::Dhcp:
                // Same binding: refresh. Another binding: the name or address has moved on to
                // this one (a returning client under a new identity, an address reused).
                return Decision::Write;
        }
        return Decision::Skip;
    }
    // Removal events only ever concern the binding's own dhcp/reservation records.
    if (!rec.origin || !rec.same_owner) return Decision::Keep;
    if (*rec.origin != Origin::Dhcp && *rec.origin != Origin::Reservation) return Decision::Keep;
    if (*rec.origin == Origin::Reservation &&
        p.reservation_records == config::ReservationRecords::Permanent)
        return Decision::Keep;
    switch (ev) {
        case LeaseDnsEvent::Release:
            return (kind == RecordKind::Ptr ? p.ptr_delete_on_release : p.delete_on_release)
                       ? Decision::Delete
                       : Decision::Keep;
        case LeaseDnsEvent::Expiry:
            return (kind == RecordKind::Ptr ? p.ptr_delete_on_expiry : p.delete_on_expiry)
                       ? Decision::Delete
                       : Decision::Keep;
        case LeaseDnsEvent::Stale:
            return p.stale_after ? Decision::Delete : Decision::Keep;
        default:
            return Decision::Keep;
    }
}

}  // namespace edgelease::control::ddns
