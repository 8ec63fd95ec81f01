import datetime

from icalendar import Calendar

from preceptorship.calendar import Attendee, review_invitation, review_uid, sequence_for

CHANGED = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)


def invitation(**changes):
    values = {
        "enrolment_id": 42, "number": 2, "on": datetime.date(2026, 3, 30), "summary": "Review meeting 2: Sam Okafor",
        "description": "Agree the time between you.", "url": "https://preceptorship.example/programmes/enrolments/42/",
        "attendees": [Attendee("Sam Okafor", "sam@example.org"), Attendee("Priya Shah", "priya@example.org"),
                      Attendee("No Address", "")],
        "changed_at": CHANGED,
    }
    text = review_invitation(**{**values, **changes})
    calendar = Calendar.from_ical(text)
    return calendar, calendar.walk("VEVENT")[0]


def test_an_invitation_is_an_all_day_meeting_request_for_both_people(settings):
    settings.SITE_URL = "https://preceptorship.example"
    calendar, event = invitation()
    assert calendar["method"] == "REQUEST"
    assert event["uid"] == "review-42-2@preceptorship.example"
    assert event.decoded("dtstart") == datetime.date(2026, 3, 30)  # a date: no time zone to shift at the clock change
    assert event.decoded("dtend") == datetime.date(2026, 3, 31)
    assert [str(a) for a in event["attendee"]] == ["mailto:sam@example.org", "mailto:priya@example.org"]
    assert event["attendee"][0].params["CN"] == "Sam Okafor"
    assert str(event["organizer"]) == "mailto:no-reply@preceptorship.invalid"
    assert "preceptorship.example/programmes/enrolments/42/" in str(event["description"])


def test_a_moved_meeting_keeps_its_uid_and_carries_a_higher_sequence():
    _, before = invitation()
    _, after = invitation(on=datetime.date(2026, 4, 14), changed_at=CHANGED + datetime.timedelta(seconds=1))
    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    assert after.decoded("dtstart") == datetime.date(2026, 4, 14)


def test_each_review_of_each_enrolment_is_its_own_event():
    assert len({review_uid(42, 1), review_uid(42, 2), review_uid(43, 1)}) == 3


def test_sequence_grows_with_time_and_never_goes_negative():
    assert sequence_for(datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)) == 0
    assert sequence_for(CHANGED) < sequence_for(CHANGED + datetime.timedelta(seconds=1))
    # Fits the 32-bit integer calendars store until well past 2080.
    assert sequence_for(datetime.datetime(2080, 1, 1, tzinfo=datetime.UTC)) < 2**31


def test_a_cancellation_withdraws_the_same_event():
    calendar, event = invitation(cancelled=True)
    assert calendar["method"] == "CANCEL"
    assert event["status"] == "CANCELLED"
    assert event["uid"] == review_uid(42, 2)


def test_a_given_sequence_replaces_the_one_from_the_time_of_the_change():
    _, event = invitation(cancelled=True, sequence=sequence_for(CHANGED) + 5)
    assert event["sequence"] == sequence_for(CHANGED) + 5
