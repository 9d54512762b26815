"""Booking: the client's appointments and the professionals' schedule and bookings."""

from tests.access_rules import CLIENTS_ONLY, Rules

ANONYMOUS_POST = 401


def client_route(status: int, *, post: bool = False) -> dict[str, int]:
    return {
        "anonymous": ANONYMOUS_POST if post else 302,
        "client": status,
        "other_client": status,
        "adviser": 403,
        "staff": 403,
        "admin": 403,
    }


def staff_route(adviser: int, staff: int, *, post: bool = False) -> dict[str, int]:
    return {
        "anonymous": ANONYMOUS_POST if post else 302,
        "client": 403,
        "other_client": 403,
        "adviser": adviser,
        "staff": staff,
        "admin": 403,
    }


NO_SUCH = 999999

RULES: Rules = {
    ("GET", "booking.client_list"): ("/appointments", CLIENTS_ONLY),
    # The demo clients work with nobody yet, so nothing is theirs to book.
    ("GET", "booking.choose_time"): ("/appointments/book/guidance", client_route(409)),
    ("GET", "booking.confirm"): (f"/appointments/book/guidance/{NO_SUCH}", client_route(404)),
    ("POST", "booking.confirm"): (f"/appointments/book/guidance/{NO_SUCH}", client_route(404, post=True)),
    ("GET", "booking.detail"): (f"/appointments/{NO_SUCH}", client_route(404)),
    ("GET", "booking.ics"): (f"/appointments/{NO_SUCH}/calendar.ics", client_route(404)),
    ("GET", "booking.move"): (f"/appointments/{NO_SUCH}/move", client_route(404)),
    ("GET", "booking.move_confirm"): (f"/appointments/{NO_SUCH}/move/{NO_SUCH}", client_route(404)),
    ("POST", "booking.move_confirm"): (
        f"/appointments/{NO_SUCH}/move/{NO_SUCH}",
        client_route(404, post=True),
    ),
    ("GET", "booking.change_number"): (f"/appointments/{NO_SUCH}/number", client_route(404)),
    ("POST", "booking.change_number"): (f"/appointments/{NO_SUCH}/number", client_route(404, post=True)),
    ("GET", "booking.cancel"): (f"/appointments/{NO_SUCH}/cancel", client_route(404)),
    ("POST", "booking.cancel"): (f"/appointments/{NO_SUCH}/cancel", client_route(404, post=True)),
    ("GET", "booking.schedule"): ("/staff/schedule", staff_route(200, 200)),
    ("GET", "booking.publish"): ("/staff/schedule/publish", staff_route(200, 403)),
    ("POST", "booking.publish"): ("/staff/schedule/publish", staff_route(422, 403, post=True)),
    ("GET", "booking.block_day"): ("/staff/schedule/block", staff_route(200, 403)),
    ("POST", "booking.block_day"): ("/staff/schedule/block", staff_route(422, 403, post=True)),
    ("POST", "booking.unblock_day"): (
        "/staff/schedule/blocked/2026-12-24/unblock",
        staff_route(303, 403, post=True),
    ),
    ("POST", "booking.withdraw"): (
        f"/staff/schedule/slots/{NO_SUCH}/withdraw",
        staff_route(404, 403, post=True),
    ),
    ("GET", "booking.staff_booking"): (f"/staff/bookings/{NO_SUCH}", staff_route(404, 404)),
    ("GET", "booking.staff_cancel"): (f"/staff/bookings/{NO_SUCH}/cancel", staff_route(404, 404)),
    ("POST", "booking.staff_cancel"): (
        f"/staff/bookings/{NO_SUCH}/cancel",
        staff_route(404, 404, post=True),
    ),
    ("POST", "booking.outcome"): (f"/staff/bookings/{NO_SUCH}/outcome", staff_route(404, 404, post=True)),
    ("POST", "booking.video_link"): (
        f"/staff/bookings/{NO_SUCH}/video-link",
        staff_route(404, 404, post=True),
    ),
    ("POST", "booking.staff_call_number"): (
        f"/staff/bookings/{NO_SUCH}/number",
        staff_route(404, 404, post=True),
    ),
    ("GET", "booking.staff_move"): (f"/staff/bookings/{NO_SUCH}/move", staff_route(404, 404)),
    ("GET", "booking.staff_move_confirm"): (
        f"/staff/bookings/{NO_SUCH}/move/{NO_SUCH}",
        staff_route(404, 404),
    ),
    ("POST", "booking.staff_move_confirm"): (
        f"/staff/bookings/{NO_SUCH}/move/{NO_SUCH}",
        staff_route(404, 404, post=True),
    ),
    ("POST", "booking.offer"): (
        f"/staff/booking/clients/{NO_SUCH}/offer",
        staff_route(404, 404, post=True),
    ),
    ("GET", "booking.staff_choose_time"): (
        f"/staff/booking/clients/{NO_SUCH}/book/guidance",
        staff_route(404, 404),
    ),
    ("GET", "booking.staff_confirm"): (
        f"/staff/booking/clients/{NO_SUCH}/book/guidance/{NO_SUCH}",
        staff_route(404, 404),
    ),
    ("POST", "booking.staff_confirm"): (
        f"/staff/booking/clients/{NO_SUCH}/book/guidance/{NO_SUCH}",
        staff_route(404, 404, post=True),
    ),
}
