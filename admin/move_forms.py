"""The forms of downsizing and decants: a household's social home, its downsizing mark, regeneration schemes and their
households, payments asked for, decided and recorded paid."""

from cbl.models.moves import PaymentKind
from cbl.web import forms


class Tenancy(forms.Form):
    landlord = forms.Text("Landlord", limit=200, required="Enter the landlord of the household's home")
    address = forms.Text("Address of the home", limit=400)
    bedrooms = forms.WholeNumber("Bedrooms", low=0, high=20, required=True,
                                 message="Bedrooms must be a whole number from 0 to 20")
    tenancy_start = forms.Day("Date the tenancy began")


class EndDownsizing(forms.Form):
    reason = forms.Text("Reason for ending the downsizing priority", limit=2000,
                        required="Give the reason for ending the downsizing priority")


class DownsizingPayment(forms.Form):
    new_bedrooms = forms.WholeNumber("Bedrooms in the new home", low=0, high=20, required=True,
                                     message="Bedrooms must be a whole number from 0 to 20")
    removal = forms.Money("Removal costs claimed", required=False)


class HomeLoss(forms.Form):
    regeneration = forms.Choice("Regeneration scheme", required="Choose the regeneration scheme")
    displaced_on = forms.Day("Date of displacement (the day the household moved out)")


class Disturbance(forms.Form):
    regeneration = forms.Choice("Regeneration scheme", required="Choose the regeneration scheme")
    displaced_on = forms.Day("Date of displacement (the day the household moved out)")
    claimed = forms.Money("Amount claimed")
    what = forms.Text("What the costs were for", limit=1000, required="Say what the costs were for")
    file = forms.Upload("Receipt")


class RegenerationScheme(forms.Form):
    name = forms.Text("Name", limit=200, required="Enter the regeneration scheme's name")
    area = forms.Text("Homes, addresses or area it covers", limit=2000,
                      required="Enter the homes, addresses or area the scheme covers")
    decant_date = forms.Day("Date households must have moved by")


class DecantHousehold(forms.Form):
    reference = forms.Text("Application reference", limit=32, required="Enter the household's application reference")


class PaymentDecision(forms.Form):
    approve = forms.Choice("Approve the payment?", required="Say whether you approve the payment")
    approved = forms.Money("Amount approved (leave blank for the amount claimed)", required=False)
    arrears = forms.Money("Rent arrears offset", required=False)
    arrears_note = forms.Text("Which arrears are offset", limit=2000)
    note = forms.Text("Reasons", limit=2000)


class Paid(forms.Form):
    paid_on = forms.Day("Date paid")


DECISIONS = [("yes", "Approve"), ("no", "Refuse")]
KINDS = {kind.value: kind for kind in PaymentKind}
